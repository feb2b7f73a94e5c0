/*
 * Agent console: sign-in, application look-up, a trader's conversation by chat ID, sign-out.
 * The chat in agent mode is the widget (widget.js, data-mode="agent") shown inside the page.
 * Every request but the sign-in sends the X-CSRF-Token header; a 401 means the session expired.
 * Text from the server is always inserted as text, never as HTML.
 */
(function () {
  "use strict";

  // The request, DOM and formatting helpers are console-api.js's, loaded before this file.
  var shared = window.TTAConsole;
  var lang = shared.lang;
  var el = shared.el;
  var format = shared.format;
  var api = shared.api;
  var TOKEN_KEY = "tta-agent-csrf";

  var STRINGS = {
    en: {
      required: "Enter your username and password.",
      badLogin: "The username or password is not correct.",
      expired: "Your session has expired. Please sign in again.",
      signedOut: "You are signed out.",
      failed: "Something went wrong. Please try again.",
      unavailable: "The service is unavailable right now. Please try again in a few minutes.",
      lookupInvalid: "Enter an application reference such as PIP-2026-00101 or a 9-digit business number.",
      lookupNone: "No application found for {query}.",
      lookupFound: "{count} application found for {query}.",
      lookupFoundMany: "{count} applications found for {query}.",
      byReference: "reference",
      byBusinessNumber: "business number",
      businessNumber: "Business number",
      lineOfBusiness: "Line of business",
      submittedOn: "Submitted on",
      status: "Current status",
      statusColumn: "Status",
      since: "since",
      history: "Status history of {reference}",
      date: "Date",
      note: "Note",
      chatIdInvalid: "Enter a chat ID such as K7Q-4MZ2 (7 letters or digits).",
      transcriptNone: "No conversation found with chat ID {chatId}.",
      transcriptFound: "Conversation {chatId}: {count} messages.",
      transcriptCaption: "Conversation {chatId}",
      time: "Time",
      from: "From",
      message: "Message",
      topic: "Topic",
      trader: "Trader",
      assistant: "Assistant",
      lines: {
        importer: "Importer", exporter: "Exporter", highway_carrier: "Highway carrier",
        rail_carrier: "Rail carrier", marine_carrier: "Marine carrier", air_carrier: "Air carrier",
        customs_broker: "Customs broker", freight_forwarder: "Freight forwarder",
        shipping_agent: "Shipping agent", warehouse_operator: "Warehouse operator",
        marine_terminal_operator: "Marine terminal operator"
      }
    },
    fr: {
      required: "Entrez votre nom d'utilisateur et votre mot de passe.",
      badLogin: "Le nom d'utilisateur ou le mot de passe est incorrect.",
      expired: "Votre session a expiré. Veuillez ouvrir une nouvelle session.",
      signedOut: "Votre session est fermée.",
      failed: "Un problème est survenu. Veuillez réessayer.",
      unavailable: "Le service n'est pas disponible pour le moment. Réessayez dans quelques minutes.",
      lookupInvalid: "Entrez un numéro de référence comme PIP-2026-00101 ou un numéro d'entreprise de 9 chiffres.",
      lookupNone: "Aucune demande trouvée pour {query}.",
      lookupFound: "{count} demande trouvée pour {query}.",
      lookupFoundMany: "{count} demandes trouvées pour {query}.",
      byReference: "la référence",
      byBusinessNumber: "le numéro d'entreprise",
      businessNumber: "Numéro d'entreprise",
      lineOfBusiness: "Secteur d'activité",
      submittedOn: "Présentée le",
      status: "État actuel",
      statusColumn: "État",
      since: "depuis le",
      history: "Historique de l'état de {reference}",
      date: "Date",
      note: "Note",
      chatIdInvalid: "Entrez un numéro de clavardage comme K7Q-4MZ2 (7 lettres ou chiffres).",
      transcriptNone: "Aucune conversation trouvée avec le numéro de clavardage {chatId}.",
      transcriptFound: "Conversation {chatId} : {count} messages.",
      transcriptCaption: "Conversation {chatId}",
      time: "Heure",
      from: "De",
      message: "Message",
      topic: "Sujet",
      trader: "Négociant",
      assistant: "Assistant",
      lines: {
        importer: "Importateur", exporter: "Exportateur", highway_carrier: "Transporteur routier",
        rail_carrier: "Transporteur ferroviaire", marine_carrier: "Transporteur maritime",
        air_carrier: "Transporteur aérien", customs_broker: "Courtier en douane",
        freight_forwarder: "Transitaire", shipping_agent: "Agent maritime",
        warehouse_operator: "Exploitant d'entrepôt", marine_terminal_operator: "Exploitant de terminal maritime"
      }
    }
  };
  var S = STRINGS[lang];

  var statusLabels = {};
  try {
    statusLabels = JSON.parse(document.getElementById("status-labels").textContent || "{}") || {};
  } catch (ignore) {
    statusLabels = {};
  }

  function $(id) {
    return document.getElementById(id);
  }

  var csrf = "";
  try {
    csrf = window.sessionStorage.getItem(TOKEN_KEY) || "";
  } catch (ignore) {
    csrf = "";
  }
  shared.setCsrf(csrf);

  function setToken(token) {
    csrf = token || "";
    shared.setCsrf(csrf);
    try {
      if (csrf) {
        window.sessionStorage.setItem(TOKEN_KEY, csrf);
      } else {
        window.sessionStorage.removeItem(TOKEN_KEY);
      }
    } catch (ignore) {
      // private browsing: the token stays in memory only
    }
    if (window.PIPAssistant) {
      window.PIPAssistant.setHeader("X-CSRF-Token", csrf);
    }
  }

  function errorText(result) {
    if (result.status === 0 || result.status === 503) {
      return S.unavailable;
    }
    if (result.body && typeof result.body.message === "string" && result.body.message) {
      return result.body.message;
    }
    return S.failed;
  }

  /* ---------- signed in / out ---------- */

  var signin = $("signin");
  var consoleBox = $("console");

  function showConsole(username, focus) {
    $("agent-name").textContent = username || "";
    signin.hidden = true;
    consoleBox.hidden = false;
    $("console-status").textContent = "";
    if (focus) {
      $("lookup-query").focus();
    }
  }

  function clearResults() {
    ["lookup-results", "transcript-results", "lookup-status", "transcript-status", "lookup-error",
      "transcript-error"].forEach(function (id) {
      $(id).textContent = "";
    });
    $("lookup-query").value = "";
    $("transcript-chat-id").value = "";
  }

  function showSignin(message) {
    setToken("");
    consoleBox.hidden = true;
    signin.hidden = false;
    clearResults();
    if (window.PIPAssistant) {
      window.PIPAssistant.reset();
    }
    $("signin-error").textContent = message || "";
    $("agent-password").value = "";
  }

  /* A 401 on any agent request: the session ended (idle time-out or signed out elsewhere). */
  function expired() {
    showSignin(S.expired);
    $("agent-username").focus();
  }

  $("signin-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var username = $("agent-username").value.trim();
    var password = $("agent-password").value;
    var error = $("signin-error");
    if (!username || !password) {
      error.textContent = S.required;
      (username ? $("agent-password") : $("agent-username")).focus();
      return;
    }
    error.textContent = "";
    var submit = event.target.querySelector("button[type=submit]");
    submit.disabled = true;
    api("POST", "/api/agent/login", { username: username, password: password }).then(function (result) {
      submit.disabled = false;
      if (result.ok && result.body) {
        setToken(result.body.csrf_token);
        $("agent-password").value = "";
        showConsole(result.body.username || username, true);
      } else {
        $("agent-password").value = "";
        error.textContent = result.status === 401 ? S.badLogin : errorText(result);
        $("agent-password").focus();
      }
    });
  });

  $("signout").addEventListener("click", function () {
    // Signing out ends the agent-mode conversation on the server; showSignin clears the widget.
    api("POST", "/api/agent/logout", {}).then(function () {
      showSignin(S.signedOut);
      $("agent-username").focus();
    });
  });

  /* ---------- application look-up ---------- */

  function labelFor(status) {
    return statusLabels[status] || String(status || "").replace(/_/g, " ");
  }

  function lineFor(line) {
    return S.lines[line] || String(line || "").replace(/_/g, " ");
  }

  function renderApplication(app) {
    var headingId = "app-" + String(app.reference || "").replace(/[^A-Za-z0-9-]/g, "");
    var article = el("article", { class: "agent-app", "aria-labelledby": headingId });
    article.appendChild(el("h3", { id: headingId }, app.reference + " — " + (app.company || "")));
    var summary = el("dl", { class: "agent-summary" });
    [
      [S.businessNumber, app.business_number],
      [S.lineOfBusiness, app.line_of_business ? lineFor(app.line_of_business) : ""],
      [S.submittedOn, app.submitted_on],
      [S.status, labelFor(app.status) + (app.status_date ? " (" + S.since + " " + app.status_date + ")" : "")]
    ].forEach(function (row) {
      if (row[1] === undefined || row[1] === null || row[1] === "") {
        return;
      }
      var group = el("div", { class: "agent-summary-row" });
      group.appendChild(el("dt", null, row[0]));
      group.appendChild(el("dd", { class: row[0] === S.status ? "agent-status-value" : null }, row[1]));
      summary.appendChild(group);
    });
    article.appendChild(summary);

    var wrapper = el("div", { class: "agent-table-wrapper", role: "region", tabindex: "0",
      "aria-label": format(S.history, { reference: app.reference }) });
    var table = el("table", { class: "agent-table" });
    table.appendChild(el("caption", null, format(S.history, { reference: app.reference })));
    var head = el("thead");
    var headRow = el("tr");
    [S.date, S.statusColumn, S.note].forEach(function (title) {
      headRow.appendChild(el("th", { scope: "col" }, title));
    });
    head.appendChild(headRow);
    table.appendChild(head);
    var body = el("tbody");
    (app.history || []).forEach(function (entry) {
      var row = el("tr");
      row.appendChild(el("td", { class: "agent-nowrap" }, entry.date));
      row.appendChild(el("td", null, labelFor(entry.status)));
      row.appendChild(el("td", null, entry.note || ""));
      body.appendChild(row);
    });
    table.appendChild(body);
    wrapper.appendChild(table);
    article.appendChild(wrapper);
    return article;
  }

  function invalidLookup(field, error) {
    error.textContent = S.lookupInvalid;
    field.setAttribute("aria-invalid", "true");
    field.focus();
  }

  /* What the agent typed goes to the gateway as is: it recognises references (PIP or PEP, any
     separators) and business numbers with bot/core/identifiers.py, and says what it looked up,
     so the console has no pattern of its own that could refuse what the gateway accepts. */
  $("lookup-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var field = $("lookup-query");
    var error = $("lookup-error");
    var results = $("lookup-results");
    var statusLine = $("lookup-status");
    var raw = field.value.trim();
    if (!raw) {
      invalidLookup(field, error);
      return;
    }
    error.textContent = "";
    field.removeAttribute("aria-invalid");
    results.textContent = "";
    statusLine.textContent = "";
    api("GET", "/api/agent/applications?query=" + encodeURIComponent(raw)).then(function (result) {
      if (result.status === 401) {
        expired();
        return;
      }
      if (result.status === 400) {
        invalidLookup(field, error);  // neither a reference nor a business number
        return;
      }
      if (!result.ok || !result.body) {
        statusLine.textContent = errorText(result);
        return;
      }
      var looked = result.body.query || {};
      var label = (looked.by === "reference" ? S.byReference : S.byBusinessNumber) + " " + (looked.value || raw);
      var applications = result.body.applications || [];
      var template = applications.length === 1 ? S.lookupFound : S.lookupFoundMany;
      statusLine.textContent = applications.length
        ? format(template, { count: applications.length, query: label })
        : format(S.lookupNone, { query: label });
      if (result.body.warning) {
        statusLine.textContent += " " + result.body.warning;
      }
      applications.forEach(function (app) {
        results.appendChild(renderApplication(app));
      });
    });
  });

  /* ---------- a trader's conversation ---------- */

  /* The language of a transcript line, as stored with it; lines stored before languages were
     recorded have none and are marked with the console's language. */
  function lineLang(message) {
    return message.lang === "en" || message.lang === "fr" ? message.lang : lang;
  }

  function formatTime(value) {
    var date = new Date(value);
    if (!value || isNaN(date.getTime())) {
      return String(value || "");
    }
    var pad = function (n) {
      return n < 10 ? "0" + n : String(n);
    };
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + " " +
      pad(date.getHours()) + ":" + pad(date.getMinutes()) + ":" + pad(date.getSeconds());
  }

  function normalizeChatId(value) {
    var compact = String(value || "").toUpperCase().replace(/[\s-]/g, "");
    return /^[0-9A-Z]{7}$/.test(compact) ? compact.slice(0, 3) + "-" + compact.slice(3) : "";
  }

  $("transcript-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var field = $("transcript-chat-id");
    var error = $("transcript-error");
    var results = $("transcript-results");
    var statusLine = $("transcript-status");
    var chatId = normalizeChatId(field.value);
    if (!chatId) {
      error.textContent = S.chatIdInvalid;
      field.setAttribute("aria-invalid", "true");
      field.focus();
      return;
    }
    field.value = chatId;
    error.textContent = "";
    field.removeAttribute("aria-invalid");
    results.textContent = "";
    statusLine.textContent = "";
    api("GET", "/api/agent/transcript?chat_id=" + encodeURIComponent(chatId)).then(function (result) {
      if (result.status === 401) {
        expired();
        return;
      }
      if (result.status === 404) {
        statusLine.textContent = format(S.transcriptNone, { chatId: chatId });
        return;
      }
      if (!result.ok || !result.body) {
        statusLine.textContent = errorText(result);
        return;
      }
      var messages = result.body.messages || [];
      statusLine.textContent = format(S.transcriptFound, { chatId: result.body.chat_id || chatId,
        count: messages.length });
      var wrapper = el("div", { class: "agent-table-wrapper", role: "region", tabindex: "0",
        "aria-label": format(S.transcriptCaption, { chatId: chatId }) });
      var table = el("table", { class: "agent-table agent-transcript" });
      table.appendChild(el("caption", null, format(S.transcriptCaption, { chatId: result.body.chat_id || chatId })));
      var head = el("thead");
      var headRow = el("tr");
      [S.time, S.from, S.message, S.topic].forEach(function (title) {
        headRow.appendChild(el("th", { scope: "col" }, title));
      });
      head.appendChild(headRow);
      table.appendChild(head);
      var body = el("tbody");
      messages.forEach(function (message) {
        var row = el("tr", { class: message.role === "user" ? "agent-row-user" : "agent-row-bot" });
        row.appendChild(el("td", { class: "agent-nowrap" }, formatTime(message.at)));
        row.appendChild(el("th", { scope: "row" }, message.role === "user" ? S.trader : S.assistant));
        row.appendChild(el("td", { class: "agent-message", lang: lineLang(message) }, message.text || ""));
        row.appendChild(el("td", null, message.topic || ""));
        body.appendChild(row);
      });
      table.appendChild(body);
      wrapper.appendChild(table);
      results.appendChild(wrapper);
    });
  });

  /* Closing (or leaving) the console ends its agent-mode conversation, so its look-ups are
     not kept on the server for the rest of the agent session; going to Insights or Review
     through the console's navigation does not (the agent comes back to the same conversation).
     keepalive lets the request outlive the page; the agent stays signed in. */
  var toOtherConsolePage = false;  // the console's own navigation keeps the conversation
  document.addEventListener("click", function (event) {
    var link = event.target && event.target.closest ? event.target.closest(".agent-nav a") : null;
    if (link) {
      toOtherConsolePage = true;
    }
  });
  window.addEventListener("pagehide", function () {
    if (!csrf || toOtherConsolePage) {
      return;
    }
    try {
      fetch("/api/session/restart", { method: "POST", credentials: "same-origin", keepalive: true,
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: "{}" });
    } catch (ignore) {
      // nothing to do: the conversation then ends with the session
    }
  });

  /* ---------- start: already signed in? ---------- */

  api("GET", "/api/agent/me").then(function (result) {
    if (result.ok && result.body && result.body.username) {
      setToken(result.body.csrf_token || csrf);
      showConsole(result.body.username, false);
    } else {
      showSignin("");
    }
  });
}());
