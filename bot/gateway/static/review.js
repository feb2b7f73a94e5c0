/*
 * The console's Review page: the questions the assistant declined or answered unsure of
 * (GET /api/agent/inbox), newest first. An agent gives each the topic it should have had, or
 * marks it out of scope, or ignores it (POST /api/agent/inbox/{id}); every decision is audited
 * by the server. One click when the assistant's guess is right (it is preselected); from the
 * keyboard, with focus on a question: A assigns the chosen topic, O (H in French) out of scope,
 * I ignores. Keys act only while a question has focus (WCAG 2.1.4), never in the topic list.
 */
(function () {
  "use strict";

  var C = window.TTAConsole;
  var el = C.el;

  var STRINGS = {
    en: {
      loading: "Loading the questions…",
      count: "{count} questions to review.",
      countOne: "1 question to review.",
      empty: "No questions to review. New ones appear here as traders ask them.",
      expired: "Your session has ended. Sign in again on the agent console.",
      signIn: "Go to the agent console",
      failed: "Something went wrong. Please try again.",
      asked: "Asked {time} (UTC)",
      english: "in English",
      french: "in French",
      declined: "Declined. The assistant's best guess: {topic} ({confidence}).",
      declinedNoGuess: "Declined. The assistant had no guess.",
      declinedOutOfScope: "Declined as outside the program ({confidence}).",
      unsure: "Answered, but unsure: {topic} ({confidence}).",
      topic: "Right topic",
      assign: "Assign topic",
      outOfScope: "Out of scope",
      ignore: "Ignore",
      recorded: "Recorded: {decision}. {left}",
      question: "Question {number}",
      keys: { a: "assign", o: "out_of_scope", i: "ignore" }
    },
    fr: {
      loading: "Chargement des questions…",
      count: "{count} questions à réviser.",
      countOne: "1 question à réviser.",
      empty: "Aucune question à réviser. Les nouvelles questions s'affichent ici à mesure que les négociants les posent.",
      expired: "Votre session a pris fin. Ouvrez une nouvelle session dans la console des agents.",
      signIn: "Aller à la console des agents",
      failed: "Un problème est survenu. Veuillez réessayer.",
      asked: "Posée le {time} (UTC)",
      english: "en anglais",
      french: "en français",
      declined: "Refusée. La meilleure hypothèse de l'assistant : {topic} ({confidence}).",
      declinedNoGuess: "Refusée. L'assistant n'avait aucune hypothèse.",
      declinedOutOfScope: "Refusée comme hors du programme ({confidence}).",
      unsure: "Répondue sans certitude : {topic} ({confidence}).",
      topic: "Bon sujet",
      assign: "Attribuer le sujet",
      outOfScope: "Hors du champ",
      ignore: "Ignorer",
      recorded: "Décision enregistrée : {decision}. {left}",
      question: "Question {number}",
      keys: { a: "assign", h: "out_of_scope", i: "ignore" }
    }
  };
  var S = STRINGS[C.lang];
  var titles = C.pageData("topic-titles", {});
  var choices = C.pageData("review-topics", []);
  var percents = new Intl.NumberFormat(C.lang === "fr" ? "fr-CA" : "en-CA", { style: "percent", maximumFractionDigits: 0 });
  var list = document.getElementById("review-items");
  var status = document.getElementById("review-status");

  function topicTitle(topic) {
    return titles[topic] || String(topic || "").replace(/_/g, " ");
  }

  function formatTime(value) {
    return String(value || "").replace("T", " ").replace(/:\d\d(\.\d+)?Z$/, "");
  }

  function remaining() {
    var count = list.children.length;
    return count === 0 ? S.empty : count === 1 ? S.countOne : C.format(S.count, { count: count });
  }

  function signedOut() {
    status.textContent = S.expired + " ";
    status.appendChild(el("a", { href: C.consolePath }, S.signIn));
    list.textContent = "";
  }

  function decide(item, node, decision) {
    var buttons = node.querySelectorAll("button, select");
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
    C.api("POST", "/api/agent/inbox/" + encodeURIComponent(item.id), { topic: decision }).then(function (result) {
      if (result.status === 401 || result.status === 403) {
        signedOut();
        return;
      }
      Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
      if (!result.ok && result.status !== 404) {
        status.textContent = result.body && result.body.message ? result.body.message : S.failed;
        node.focus();
        return;
      }
      // Decided (or already gone): the next question takes the focus, so the agent keeps going.
      var next = node.nextElementSibling || node.previousElementSibling;
      node.remove();
      var label = decision === "out_of_scope" ? S.outOfScope : decision === "ignore" ? S.ignore : topicTitle(decision);
      status.textContent = C.format(S.recorded, { decision: label, left: remaining() });
      (next || status).focus();
    });
  }

  function render(item, index) {
    var id = "review-" + item.id;
    var node = el("li", { class: "review-item", tabindex: "0", "aria-labelledby": id + "-label " + id + "-text",
      "aria-describedby": id + "-meta", "data-id": item.id });
    node.appendChild(el("p", { id: id + "-label", class: "review-number" }, C.format(S.question, { number: index + 1 })));
    node.appendChild(el("p", { id: id + "-text", class: "review-text", lang: item.lang === "fr" ? "fr" : "en" }, item.text));
    var confidence = typeof item.confidence === "number" ? percents.format(item.confidence) : "";
    var verdict = S.declinedNoGuess;
    if (item.got === "out_of_scope") {
      verdict = C.format(S.declinedOutOfScope, { confidence: confidence });
    } else if (item.got && item.got !== "fallback") {
      verdict = C.format(item.declined === false ? S.unsure : S.declined, { topic: topicTitle(item.got),
        confidence: confidence });
    }
    node.appendChild(el("p", { id: id + "-meta", class: "review-meta" },
      C.format(S.asked, { time: formatTime(item.at) }) + ", " + (item.lang === "fr" ? S.french : S.english) + ". " + verdict));

    var actions = el("div", { class: "review-actions" });
    var field = el("div", { class: "agent-field review-field" });
    field.appendChild(el("label", { for: id + "-topic" }, S.topic));
    var select = el("select", { id: id + "-topic" });
    choices.forEach(function (topic) {
      var option = el("option", { value: topic }, topicTitle(topic));
      if (topic === item.got) {
        option.selected = true;
      }
      select.appendChild(option);
    });
    field.appendChild(select);
    actions.appendChild(field);
    var assign = el("button", { type: "button", class: "agent-button agent-button--primary" }, S.assign);
    var outOfScope = el("button", { type: "button", class: "agent-button" }, S.outOfScope);
    var ignore = el("button", { type: "button", class: "agent-button" }, S.ignore);
    assign.addEventListener("click", function () { decide(item, node, select.value); });
    outOfScope.addEventListener("click", function () { decide(item, node, "out_of_scope"); });
    ignore.addEventListener("click", function () { decide(item, node, "ignore"); });
    [assign, outOfScope, ignore].forEach(function (b) { actions.appendChild(b); });
    node.appendChild(actions);

    node.addEventListener("keydown", function (event) {
      if (event.target !== node || event.altKey || event.ctrlKey || event.metaKey) {
        return; // keys typed in the topic list, or shortcuts of the browser, are not ours
      }
      var action = S.keys[String(event.key || "").toLowerCase()];
      if (!action) {
        return;
      }
      event.preventDefault();
      decide(item, node, action === "assign" ? select.value : action);
    });
    return node;
  }

  function load() {
    status.textContent = S.loading;
    C.api("GET", "/api/agent/inbox").then(function (result) {
      if (result.status === 401 || result.status === 403) {
        signedOut();
        return;
      }
      if (!result.ok || !result.body) {
        status.textContent = result.body && result.body.message ? result.body.message : S.failed;
        return;
      }
      list.textContent = "";
      (result.body.items || []).forEach(function (item, index) {
        list.appendChild(render(item, index));
      });
      status.textContent = remaining();
    });
  }

  document.getElementById("review-refresh").addEventListener("click", load);

  C.ready().then(function (agent) {
    if (agent === null) {
      signedOut();
      return;
    }
    load();
  });
}());
