/*
 * The console's Insights page: the numbers of GET /api/agent/insights for the period the agent
 * chooses (7, 30 or 90 days), each chart drawn here as inline SVG, with its data as a table
 * (what a screen reader reads) and a CSV download. No chart library: nothing loads from outside.
 * The same charts, as files, come from `make report` (bot/ops/report.py).
 */
(function () {
  "use strict";

  var C = window.TTAConsole;
  var el = C.el;
  var SVG_NS = "http://www.w3.org/2000/svg";
  var COLOURS = ["#26374a", "#b3541e"]; // >= 4.5:1 on white, told apart without colour vision too

  var STRINGS = {
    en: {
      loading: "Loading the insights…",
      shown: "Showing the last {days} days: {from} to {to} (UTC).",
      expired: "Your session has ended. Sign in again on the agent console.",
      signIn: "Go to the agent console",
      failed: "The insights could not be loaded. Please try again.",
      conversations: "Conversations",
      questions: "Questions",
      declined: "Declined (not understood or out of scope)",
      handedOver: "Handed over to people",
      english: "In English",
      french: "In French",
      perDay: "Questions and conversations per day",
      perTopic: "Questions per topic",
      outcomes: "Share of questions declined and handed over",
      answered: "Answered",
      feedback: "Feedback per topic",
      helpful: "Helpful",
      notHelpful: "Not helpful",
      reasons: "Reasons given with feedback",
      languages: "Questions per language",
      languagesNote: "Counts the questions whose words tell their language: “ok” or a number does not.",
      date: "Date",
      topic: "Topic",
      outcome: "Outcome",
      reason: "Reason",
      language: "Language",
      count: "Count",
      share: "Share",
      data: "Data: {title}",
      chart: "{title}: bar chart. The same data is in the table that follows.",
      csv: "Download CSV",
      csvLabel: "Download CSV: {title}",
      none: "Nothing in this period.",
      noReply: "No reply stored",
      reasonLabels: { saved_call: "Saved me a call", not_what_i_asked: "Not what I asked", unclear: "Unclear",
        broken_link: "Broken link", other: "Other" },
      file: "pip-assistant-{name}-{days}-days.csv"
    },
    fr: {
      loading: "Chargement des statistiques…",
      shown: "Les {days} derniers jours : du {from} au {to} (UTC).",
      expired: "Votre session a pris fin. Ouvrez une nouvelle session dans la console des agents.",
      signIn: "Aller à la console des agents",
      failed: "Les statistiques n'ont pas pu être chargées. Veuillez réessayer.",
      conversations: "Conversations",
      questions: "Questions",
      declined: "Refusées (non comprises ou hors du champ)",
      handedOver: "Transférées à une personne",
      english: "En anglais",
      french: "En français",
      perDay: "Questions et conversations par jour",
      perTopic: "Questions par sujet",
      outcomes: "Proportion des questions refusées et transférées",
      answered: "Répondues",
      feedback: "Rétroaction par sujet",
      helpful: "Utile",
      notHelpful: "Pas utile",
      reasons: "Raisons données avec la rétroaction",
      languages: "Questions par langue",
      languagesNote: "Compte les questions dont les mots indiquent la langue : « ok » ou un numéro ne l'indiquent pas.",
      date: "Date",
      topic: "Sujet",
      outcome: "Résultat",
      reason: "Raison",
      language: "Langue",
      count: "Nombre",
      share: "Proportion",
      data: "Données : {title}",
      chart: "{title} : graphique à barres. Les mêmes données figurent dans le tableau qui suit.",
      csv: "Télécharger en CSV",
      csvLabel: "Télécharger en CSV : {title}",
      none: "Rien pendant cette période.",
      noReply: "Aucune réponse enregistrée",
      reasonLabels: { saved_call: "M'a évité un appel", not_what_i_asked: "Pas ce que j'ai demandé",
        unclear: "Pas clair", broken_link: "Lien brisé", other: "Autre" },
      file: "assistant-pep-{name}-{days}-jours.csv"
    }
  };
  var S = STRINGS[C.lang];
  var locale = C.lang === "fr" ? "fr-CA" : "en-CA";
  var numbers = new Intl.NumberFormat(locale);
  var percents = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 });
  var titles = C.pageData("topic-titles", {});
  var uid = 0;

  function $(id) {
    return document.getElementById(id);
  }

  function topicTitle(topic) {
    return topic === "no_reply" ? S.noReply : titles[topic] || String(topic).replace(/_/g, " ");
  }

  function share(part, whole) {
    return whole ? part / whole : 0;
  }

  /* ---------- SVG ---------- */

  function svgNode(tag, attrs, text) {
    var node = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (name) {
      node.setAttribute(name, String(attrs[name]));
    });
    if (text !== undefined) {
      node.textContent = String(text);
    }
    return node;
  }

  function svgRoot(width, height, title) {
    var id = "chart-" + (++uid);
    var svg = svgNode("svg", { viewBox: "0 0 " + width + " " + height, role: "img", "aria-labelledby": id,
      class: "insights-chart", focusable: "false" });
    svg.appendChild(svgNode("title", { id: id }, C.format(S.chart, { title: title })));
    return svg;
  }

  function text(svg, x, y, value, attrs) {
    var node = svgNode("text", Object.assign({ x: x, y: y, "font-size": 13, fill: "#333333" }, attrs || {}), value);
    svg.appendChild(node);
    return node;
  }

  function legend(svg, series, y) {
    if (series.length < 2) {
      return;
    }
    series.forEach(function (s, i) {
      svg.appendChild(svgNode("rect", { x: 8 + i * 190, y: y - 11, width: 12, height: 12, fill: COLOURS[i % 2] }));
      text(svg, 26 + i * 190, y, s.name);
    });
  }

  /* One row per label, one bar per series, each value written after its bar. */
  function horizontalBars(title, labels, series, show) {
    var labelWidth = 300, area = 340, bar = 16, gap = 10;
    var row = bar * series.length + gap;
    var top = series.length > 1 ? 34 : 8;
    var height = top + labels.length * row + 4;
    var svg = svgRoot(labelWidth + area + 90, height, title);
    var highest = Math.max.apply(null, [1].concat.apply([], series.map(function (s) { return s.values; })));
    legend(svg, series, 18);
    labels.forEach(function (label, i) {
      var y = top + i * row;
      text(svg, labelWidth - 8, y + row / 2, label, { "text-anchor": "end" });
      series.forEach(function (s, j) {
        var length = Math.round(area * s.values[i] / highest * 10) / 10;
        var by = y + j * bar;
        svg.appendChild(svgNode("rect", { x: labelWidth, y: by, width: length, height: bar - 2, fill: COLOURS[j % 2] }));
        text(svg, labelWidth + length + 6, by + bar - 4, show(s.values[i]), { "font-size": 12 });
      });
    });
    return svg;
  }

  /* One group of columns per day, with the highest value, and the first, middle and last day. */
  function columns(title, labels, series) {
    var left = 48, top = series.length > 1 ? 40 : 12, plot = 200, width = 760;
    var plotWidth = width - left - 12;
    var group = plotWidth / Math.max(1, labels.length);
    var column = Math.max(1, (group - 2) / series.length);
    var base = top + plot;
    var svg = svgRoot(width, base + 28, title);
    var highest = Math.max.apply(null, [1].concat.apply([], series.map(function (s) { return s.values; })));
    legend(svg, series, 18);
    svg.appendChild(svgNode("line", { x1: left, y1: base, x2: width - 12, y2: base, stroke: "#333333" }));
    text(svg, left - 6, top + 4, numbers.format(highest), { "text-anchor": "end", "font-size": 12 });
    text(svg, left - 6, base + 4, "0", { "text-anchor": "end", "font-size": 12 });
    labels.forEach(function (_, i) {
      series.forEach(function (s, j) {
        var h = Math.round(plot * s.values[i] / highest * 10) / 10;
        svg.appendChild(svgNode("rect", { x: Math.round((left + i * group + 1 + j * column) * 10) / 10, y: base - h,
          width: Math.round(column * 10) / 10, height: h, fill: COLOURS[j % 2] }));
      });
    });
    var marks = labels.length ? [0, Math.floor(labels.length / 2), labels.length - 1] : [];
    marks.filter(function (v, i, all) { return all.indexOf(v) === i; }).forEach(function (i) {
      var anchor = i === 0 ? "start" : i === labels.length - 1 ? "end" : "middle";
      var x = left + i * group + (anchor === "start" ? 0 : anchor === "end" ? group : group / 2);
      text(svg, Math.round(x), base + 18, labels[i], { "text-anchor": anchor, "font-size": 12 });
    });
    return svg;
  }

  /* ---------- tables and sections ---------- */

  function table(title, rows) {
    var wrapper = el("div", { class: "agent-table-wrapper insights-table", role: "region", tabindex: "0",
      "aria-label": C.format(S.data, { title: title }) });
    var node = el("table", { class: "agent-table" });
    node.appendChild(el("caption", null, C.format(S.data, { title: title })));
    var head = el("thead");
    var headRow = el("tr");
    rows[0].forEach(function (cell) {
      headRow.appendChild(el("th", { scope: "col" }, cell));
    });
    head.appendChild(headRow);
    node.appendChild(head);
    var body = el("tbody");
    rows.slice(1).forEach(function (row) {
      var tr = el("tr");
      row.forEach(function (cell, i) {
        tr.appendChild(i === 0 ? el("th", { scope: "row" }, cell)
          : el("td", { class: /^[\d\s.,%\u00a0\u202f]+$/.test(cell) ? "insights-number" : null }, cell));
      });
      body.appendChild(tr);
    });
    node.appendChild(body);
    wrapper.appendChild(node);
    return wrapper;
  }

  /* A chart's section: heading, chart (if any), its data as a table, and the CSV of that data. */
  function section(spec, days) {
    var headingId = "insights-" + spec.name;
    var box = el("section", { class: "agent-card insights-section", "aria-labelledby": headingId });
    box.appendChild(el("h2", { id: headingId }, spec.title));
    if (spec.note) {
      box.appendChild(el("p", { class: "agent-hint" }, spec.note));
    }
    if (!spec.rows.length) {
      box.appendChild(el("p", null, S.none));
      return box;
    }
    if (spec.chart) {
      box.appendChild(spec.chart());
    }
    var shown = [spec.header].concat(spec.rows.map(function (row) {
      return row.map(function (cell, i) {
        if (i === 0 || typeof cell !== "number") {
          return cell;
        }
        return spec.percentColumn === i ? percents.format(cell / 100) : numbers.format(cell);
      });
    }));
    box.appendChild(table(spec.title, shown));
    var button = el("button", { type: "button", class: "agent-button insights-csv",
      "aria-label": C.format(S.csvLabel, { title: spec.title }) }, S.csv);
    button.addEventListener("click", function () {
      C.downloadCsv(C.format(S.file, { name: spec.name, days: days }), [spec.header].concat(spec.rows));
    });
    box.appendChild(button);
    return box;
  }

  function specs(data) {
    var asked = data.by_topic.filter(function (t) { return t.count > 0; });
    var rated = data.by_topic.filter(function (t) { return t.helpful > 0 || t.not_helpful > 0; });
    var answered = Math.max(0, data.messages - data.unanswered - data.handoffs);
    var outcomes = [[S.answered, answered], [S.declined, data.unanswered], [S.handedOver, data.handoffs]];
    var dates = data.by_day.map(function (d) { return d.date; });
    var perDay = [{ name: S.questions, values: data.by_day.map(function (d) { return d.count; }) },
      { name: S.conversations, values: data.by_day.map(function (d) { return d.conversations || 0; }) }];
    var languages = [[S.english, data.by_language.en || 0], [S.french, data.by_language.fr || 0]];
    var percent = function (value) { return percents.format(value); };
    return [
      { name: "per-day", title: S.perDay, header: [S.date, S.questions, S.conversations],
        rows: data.messages ? data.by_day.map(function (d) { return [d.date, d.count, d.conversations || 0]; }) : [],
        chart: function () { return columns(S.perDay, dates, perDay); } },
      { name: "per-topic", title: S.perTopic, header: [S.topic, S.questions],
        rows: asked.map(function (t) { return [topicTitle(t.topic), t.count]; }),
        chart: function () {
          return horizontalBars(S.perTopic, asked.map(function (t) { return topicTitle(t.topic); }),
            [{ name: S.questions, values: asked.map(function (t) { return t.count; }) }], numbers.format);
        } },
      { name: "declined-and-handed-over", title: S.outcomes, header: [S.outcome, S.count, S.share + " (%)"],
        rows: data.messages ? outcomes.map(function (o) {
          return [o[0], o[1], Math.round(share(o[1], data.messages) * 1000) / 10];
        }) : [],
        percentColumn: 2,
        chart: function () {
          return horizontalBars(S.outcomes, outcomes.map(function (o) { return o[0]; }),
            [{ name: S.share, values: outcomes.map(function (o) { return share(o[1], data.messages); }) }], percent);
        } },
      { name: "feedback-per-topic", title: S.feedback, header: [S.topic, S.helpful, S.notHelpful],
        rows: rated.map(function (t) { return [topicTitle(t.topic), t.helpful, t.not_helpful]; }),
        chart: function () {
          return horizontalBars(S.feedback, rated.map(function (t) { return topicTitle(t.topic); }),
            [{ name: S.helpful, values: rated.map(function (t) { return t.helpful; }) },
              { name: S.notHelpful, values: rated.map(function (t) { return t.not_helpful; }) }], numbers.format);
        } },
      { name: "feedback-reasons", title: S.reasons, header: [S.topic, S.reason, S.count],
        rows: (data.feedback_reasons || []).map(function (r) {
          return [topicTitle(r.topic), S.reasonLabels[r.reason] || r.reason, r.count];
        }) },
      { name: "languages", title: S.languages, header: [S.language, S.questions], note: S.languagesNote,
        rows: languages[0][1] + languages[1][1] ? languages : [],
        chart: function () {
          return horizontalBars(S.languages, languages.map(function (l) { return l[0]; }),
            [{ name: S.questions, values: languages.map(function (l) { return l[1]; }) }], numbers.format);
        } }
    ];
  }

  function summary(data) {
    var list = $("summary");
    list.textContent = "";
    [
      [S.conversations, numbers.format(data.conversations)],
      [S.questions, numbers.format(data.messages)],
      [S.declined, numbers.format(data.unanswered) + " (" + percents.format(share(data.unanswered, data.messages)) + ")"],
      [S.handedOver, numbers.format(data.handoffs) + " (" + percents.format(share(data.handoffs, data.messages)) + ")"],
      [S.english, numbers.format(data.by_language.en || 0)],
      [S.french, numbers.format(data.by_language.fr || 0)]
    ].forEach(function (pair) {
      var row = el("div", { class: "insights-summary-row" });
      row.appendChild(el("dt", null, pair[0]));
      row.appendChild(el("dd", null, pair[1]));
      list.appendChild(row);
    });
  }

  function signedOut() {
    var status = $("insights-status");
    status.textContent = S.expired + " ";
    status.appendChild(el("a", { href: C.consolePath }, S.signIn));
    $("insights").hidden = true;
  }

  function load(days) {
    var status = $("insights-status");
    status.textContent = S.loading;
    C.api("GET", "/api/agent/insights?days=" + encodeURIComponent(days)).then(function (result) {
      if (result.status === 401 || result.status === 403) {
        signedOut();
        return;
      }
      if (!result.ok || !result.body) {
        status.textContent = result.body && result.body.message ? result.body.message : S.failed;
        return;
      }
      var data = result.body;
      summary(data);
      var charts = $("charts");
      charts.textContent = "";
      specs(data).forEach(function (spec) {
        charts.appendChild(section(spec, data.days));
      });
      $("insights").hidden = false;
      status.textContent = C.format(S.shown, { days: data.days, from: data.from, to: data.to });
    });
  }

  $("period-form").addEventListener("submit", function (event) {
    event.preventDefault();
    load($("period").value);
  });

  C.ready().then(function (agent) {
    if (agent === null) {
      signedOut();
      return;
    }
    load($("period").value);
  });
}());
