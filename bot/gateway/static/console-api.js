/*
 * What the console's Insights and Review pages share: the page language, the agent API with
 * the session's CSRF token (X-CSRF-Token, from /api/agent/me), small DOM helpers and a CSV
 * download. Text from the server is always inserted as text, never as HTML.
 */
(function () {
  "use strict";

  var lang = /^fr\b/i.test(document.documentElement.lang || "") ? "fr" : "en";
  var csrf = "";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (attrs[name] !== null && attrs[name] !== undefined) {
        node.setAttribute(name, attrs[name]);
      }
    });
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  }

  function api(method, path, body) {
    var headers = { Accept: "application/json", "Accept-Language": lang };
    if (csrf) {
      headers["X-CSRF-Token"] = csrf;
    }
    var options = { method: method, credentials: "same-origin", headers: headers };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(path, options).then(function (response) {
      return response.text().then(function (raw) {
        var parsed = null;
        try {
          parsed = raw ? JSON.parse(raw) : null;
        } catch (ignore) {
          parsed = null;
        }
        return { ok: response.ok, status: response.status, body: parsed };
      });
    }, function () {
      return { ok: false, status: 0, body: null };
    });
  }

  /* Resolves with the agent's name once the session's token is known, or null when signed out. */
  function ready() {
    return api("GET", "/api/agent/me").then(function (result) {
      if (result.ok && result.body && result.body.csrf_token) {
        csrf = result.body.csrf_token;
        return result.body.username || "";
      }
      return null;
    });
  }

  /* The agent console keeps the token it got at sign-in (agent.js) instead of asking for it. */
  function setCsrf(token) {
    csrf = token || "";
  }

  /* The JSON a page carries in <script type="application/json" id="...">. */
  function pageData(id, fallback) {
    try {
      return JSON.parse(document.getElementById(id).textContent || "null") || fallback;
    } catch (ignore) {
      return fallback;
    }
  }

  function csvCell(value) {
    var text = String(value === null || value === undefined ? "" : value);
    return /[",\n\r;]/.test(text) ? "\"" + text.replace(/"/g, "\"\"") + "\"" : text;
  }

  /* Downloads rows (arrays) as a CSV file; the byte-order mark lets spreadsheets read accents. */
  function downloadCsv(filename, rows) {
    var text = "\ufeff" + rows.map(function (row) {
      return row.map(csvCell).join(",");
    }).join("\r\n") + "\r\n";
    var url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
    var link = el("a", { href: url, download: filename, hidden: "" });
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(function () {
      URL.revokeObjectURL(url);
    }, 1000);
  }

  window.TTAConsole = {
    lang: lang,
    api: api,
    ready: ready,
    setCsrf: setCsrf,
    el: el,
    format: format,
    pageData: pageData,
    downloadCsv: downloadCsv,
    consolePath: lang === "fr" ? "/fr/agent" : "/agent"
  };
}());
