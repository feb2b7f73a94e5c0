/*
 * Trusted Trader Assistant: the chat widget. One script that any Government of Canada page can embed:
 *
 *   <script src="/static/widget.js" defer></script>
 *
 * It adds a launcher button and a non-modal chat panel, and loads widget.css from its own folder.
 * Language: <html lang> ("en" or "fr"). Optional data- attributes on the script tag:
 *   data-api="https://host"     where /api/... lives (default: this page's origin)
 *   data-css="/path/widget.css" the stylesheet (default: widget.css next to this script)
 *   data-idle-warning="1500"    seconds without activity before the "session ends soon" notice (0: never)
 *   data-idle-timeout="1800"    seconds without activity before the conversation is restarted (0: never)
 *   data-mode="agent"           agent console: "Copy" button next to each answer
 *   data-container="id"         render the panel inside this element (always open, no launcher)
 *
 * All text from the server is inserted as text, never as HTML.
 */
(function () {
  "use strict";

  if (window.PIPAssistant) {
    return; // included twice: the first copy wins
  }

  var script = document.currentScript;
  var config = (script && script.dataset) || {};
  var pageLang = /^fr\b/i.test(config.lang || document.documentElement.lang || "") ? "fr" : "en";
  var apiBase = (config.api || "").replace(/\/+$/, "");
  var agentMode = config.mode === "agent";
  var containerId = config.container || "";

  function seconds(value, fallback) {
    var n = Number(value);
    return value !== undefined && value !== "" && isFinite(n) && n >= 0 ? n : fallback;
  }
  var idleWarning = seconds(config.idleWarning, 25 * 60);
  var idleTimeout = seconds(config.idleTimeout, 30 * 60);
  if (idleTimeout && idleWarning && idleTimeout <= idleWarning) {
    idleTimeout = idleWarning + 60;
  }

  var STRINGS = {
    en: {
      launcher: "Ask the PIP assistant (automated)",
      title: "PIP assistant (automated)",
      close: "Close the assistant",
      privacy: "This is an automated assistant, not a person. Do not type personal information, " +
        "except your application reference and business number when you ask for a status.",
      agentNotice: "Agent mode: look-ups are recorded in the audit log.",
      chatId: "Chat ID:",
      chatIdHint: "quote this if you call us",
      conversation: "Conversation",
      welcome: "Hello. I am an automated assistant. I answer questions about the Partners in Protection " +
        "program and can tell you the status of an application. Choose a topic or type your question.",
      suggestions: "Suggested topics",
      topics: [
        ["Who can apply", "/eligibility"],
        ["Benefits", "/benefits"],
        ["How to apply", "/application_process"],
        ["Check an application's status", "/check_status"]
      ],
      answerButtons: "Choices",
      you: "You said:",
      bot: "The assistant said:",
      inputLabel: "Your question",
      inputHint: "Press Enter to send.",
      send: "Send",
      empty: "Please type a question.",
      waiting: "Getting an answer…",
      source: "Source:",
      sources: "Sources:",
      checked: "Information checked on ",
      helpful: "Was this answer helpful?",
      yes: "Yes",
      no: "No",
      reasonLegend: "What was wrong? (optional)",
      savedLegend: "Tell us more (optional)",
      reasons: [
        ["not_what_i_asked", "It was not what I asked"],
        ["unclear", "It was unclear"],
        ["broken_link", "A link did not work"],
        ["other", "Other reason"]
      ],
      savedCall: "It saved me a phone call",
      sendFeedback: "Send feedback",
      thanks: "Thank you for your feedback.",
      feedbackFailed: "Your feedback could not be sent. Please try again.",
      errorGeneric: "Sorry, something went wrong. Please try again.",
      errorNetwork: "The assistant is unavailable right now. Please try again in a few minutes, " +
        "or e-mail pip-pep@cbsa-asfc.gc.ca.",
      idleWarning: "Your conversation will end soon because there has been no activity. " +
        "Select Continue to keep it.",
      continueLabel: "Continue",
      continued: "Your conversation continues.",
      expired: "Your conversation ended because there was no activity for a while. " +
        "Type a question to start a new one.",
      startOver: "Start over",
      restarted: "You started a new conversation.",
      download: "Download transcript",
      print: "Print",
      tools: "Conversation tools",
      transcriptTitle: "Partners in Protection assistant (automated): transcript",
      transcriptDownloaded: "Downloaded:",
      transcriptEmpty: "There is nothing to download yet.",
      transcriptFile: "pip-assistant-transcript",
      earlier: "Earlier in this conversation",
      copy: "Copy",
      copyLabel: "Copy this answer and its source",
      copied: "Copied",
      copyFailed: "Could not copy. Select the text and copy it instead."
    },
    fr: {
      launcher: "Poser une question à l'assistant PEP (automatisé)",
      title: "Assistant PEP (automatisé)",
      close: "Fermer l'assistant",
      privacy: "Ceci est un assistant automatisé, pas une personne. N'écrivez pas de renseignements " +
        "personnels, sauf le numéro de référence de votre demande et votre numéro d'entreprise si vous " +
        "voulez connaître l'état d'une demande.",
      agentNotice: "Mode agent : les consultations sont consignées dans le journal de vérification.",
      chatId: "Numéro de clavardage :",
      chatIdHint: "mentionnez-le si vous nous appelez",
      conversation: "Conversation",
      welcome: "Bonjour. Je suis un assistant automatisé. Je réponds aux questions sur le programme " +
        "Partenaires en protection et je peux vous donner l'état d'une demande. Choisissez un sujet ou " +
        "écrivez votre question.",
      suggestions: "Sujets suggérés",
      topics: [
        ["Qui peut présenter une demande", "/eligibility"],
        ["Avantages", "/benefits"],
        ["Comment présenter une demande", "/application_process"],
        ["Vérifier l'état d'une demande", "/check_status"]
      ],
      answerButtons: "Choix",
      you: "Vous avez écrit :",
      bot: "L'assistant a répondu :",
      inputLabel: "Votre question",
      inputHint: "Appuyez sur Entrée pour envoyer.",
      send: "Envoyer",
      empty: "Veuillez écrire une question.",
      waiting: "Recherche d'une réponse…",
      source: "Source :",
      sources: "Sources :",
      checked: "Information vérifiée le ",
      helpful: "Cette réponse vous a-t-elle été utile?",
      yes: "Oui",
      no: "Non",
      reasonLegend: "Quel était le problème? (facultatif)",
      savedLegend: "Précisions (facultatif)",
      reasons: [
        ["not_what_i_asked", "Ce n'était pas ce que j'ai demandé"],
        ["unclear", "Ce n'était pas clair"],
        ["broken_link", "Un lien ne fonctionnait pas"],
        ["other", "Autre raison"]
      ],
      savedCall: "Elle m'a évité un appel",
      sendFeedback: "Envoyer la rétroaction",
      thanks: "Merci de votre rétroaction.",
      feedbackFailed: "Votre rétroaction n'a pas pu être envoyée. Veuillez réessayer.",
      errorGeneric: "Désolé, un problème est survenu. Veuillez réessayer.",
      errorNetwork: "L'assistant n'est pas disponible pour le moment. Réessayez dans quelques minutes " +
        "ou écrivez à pip-pep@cbsa-asfc.gc.ca.",
      idleWarning: "Votre conversation prendra bientôt fin faute d'activité. " +
        "Sélectionnez Continuer pour la garder.",
      continueLabel: "Continuer",
      continued: "Votre conversation se poursuit.",
      expired: "Votre conversation a pris fin faute d'activité. Écrivez une question pour en commencer une " +
        "nouvelle.",
      startOver: "Recommencer",
      restarted: "Vous avez commencé une nouvelle conversation.",
      download: "Télécharger la transcription",
      print: "Imprimer",
      tools: "Outils de la conversation",
      transcriptTitle: "Assistant Partenaires en protection (automatisé) : transcription",
      transcriptDownloaded: "Téléchargée le :",
      transcriptEmpty: "Il n'y a encore rien à télécharger.",
      transcriptFile: "transcription-assistant-pep",
      earlier: "Plus tôt dans cette conversation",
      copy: "Copier",
      copyLabel: "Copier cette réponse et sa source",
      copied: "Copié",
      copyFailed: "La copie a échoué. Sélectionnez le texte pour le copier."
    }
  };
  var S = STRINGS[pageLang];

  /* ---------- small helpers ---------- */

  var uid = 0;
  function nextId(prefix) {
    uid += 1;
    return "tta-" + prefix + "-" + uid;
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        var value = attrs[name];
        if (value === null || value === undefined || value === false) {
          return;
        }
        if (name === "class") {
          node.className = value;
        } else {
          node.setAttribute(name, value === true ? "" : String(value));
        }
      });
    }
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }

  function svgIcon(pathData) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "24");
    svg.setAttribute("height", "24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", pathData);
    path.setAttribute("fill", "currentColor");
    svg.appendChild(path);
    return svg;
  }
  var ICON_CHAT = "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6v2h2V9H7zm4 0v2h2V9h-2zm4 0v2h2V9h-2z";
  var ICON_CLOSE = "M18.3 5.7 12 12l6.3 6.3-1.4 1.4L10.6 13.4 4.3 19.7l-1.4-1.4L9.2 12 2.9 5.7l1.4-1.4 6.3 6.3 6.3-6.3z";

  /* The language of a message is the one the gateway states for it ("lang"), for replies and for the
     lines restored from the transcript alike. A line stored before languages were recorded states
     none: it is marked with the page's language (the widget does not guess a language from the text). */
  function messageLang(message) {
    return message.lang === "en" || message.lang === "fr" ? message.lang : pageLang;
  }

  var LINKABLE = /(https:\/\/[^\s<>"]+|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})/g;

  /* Appends text to a node, turning https links and e-mail addresses into links (as text nodes). */
  function appendLinkified(parent, text) {
    var last = 0;
    String(text).replace(LINKABLE, function (match, _group, offset) {
      var trimmed = match.replace(/[.,;:)!?]+$/, "");
      if (offset > last) {
        parent.appendChild(document.createTextNode(text.slice(last, offset)));
      }
      var href = trimmed.indexOf("@") > 0 && trimmed.indexOf("https://") !== 0 ? "mailto:" + trimmed : trimmed;
      parent.appendChild(el("a", { href: href }, trimmed));
      last = offset + trimmed.length;
      return match;
    });
    if (last < text.length) {
      parent.appendChild(document.createTextNode(text.slice(last)));
    }
  }

  /* Lines become paragraphs; lines starting with "- " become list items. */
  function renderText(parent, text) {
    var list = null;
    String(text || "").split(/\r?\n/).forEach(function (line) {
      var trimmed = line.trim();
      if (!trimmed) {
        list = null;
        return;
      }
      var item = /^[-•*]\s+(.*)$/.exec(trimmed);
      if (item) {
        if (!list) {
          list = el("ul");
          parent.appendChild(list);
        }
        var li = el("li");
        appendLinkified(li, item[1]);
        list.appendChild(li);
      } else {
        list = null;
        var p = el("p");
        appendLinkified(p, trimmed);
        parent.appendChild(p);
      }
    });
  }

  var extraHeaders = {};

  /* fetch wrapper: resolves to {ok, status, body}; never rejects. */
  function api(method, path, body) {
    var headers = { Accept: "application/json" };
    Object.keys(extraHeaders).forEach(function (name) {
      headers[name] = extraHeaders[name];
    });
    var options = { method: method, credentials: apiBase ? "include" : "same-origin", headers: headers };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(apiBase + path, options).then(function (response) {
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

  function errorText(result) {
    if (result.status === 0) {
      return S.errorNetwork;
    }
    if (result.body && typeof result.body.message === "string" && result.body.message) {
      return result.body.message;
    }
    return result.status === 503 ? S.errorNetwork : S.errorGeneric;
  }

  function loadStylesheet() {
    var href = config.css;
    if (!href && script && script.src) {
      var source = script.src.split(/[?#]/)[0];
      var query = script.src.indexOf("?") >= 0 ? script.src.slice(script.src.indexOf("?")) : "";
      href = source.replace(/[^/]*$/, "widget.css") + query;
    }
    if (!href || document.querySelector('link[data-tta-css]')) {
      return;
    }
    document.head.appendChild(el("link", { rel: "stylesheet", href: href, "data-tta-css": "" }));
  }

  /* ---------- the widget ---------- */

  var privacyId = "";
  var root, launcher, panel, log, form, input, inputError, sendButton, chatIdLine, chatIdValue, notice,
    status;
  var chatId = "";
  var position = 0; // messages counted as in the transcript (user and bot)
  var busy = false;
  var opened = false;
  var restored = false;
  var lastActivity = Date.now();
  var started = false; // a conversation exists (idle timers only run then)
  var warnTimer = null;
  var endTimer = null;
  var opener = null; // the element that opened the panel gets the focus back

  function build() {
    var inline = !!containerId;
    var host = inline ? document.getElementById(containerId) : document.body;
    if (!host) {
      return false;
    }
    root = el("div", { class: "tta-root" + (inline ? " tta-root--inline" : "") + (agentMode ? " tta-root--agent" : ""),
      lang: pageLang });
    var titleId = nextId("title");
    privacyId = nextId("privacy");

    if (!inline) {
      launcher = el("button", { type: "button", class: "tta-launcher", "aria-haspopup": "dialog",
        "aria-expanded": "false", "aria-controls": "tta-panel" });
      launcher.appendChild(svgIcon(ICON_CHAT));
      launcher.appendChild(el("span", { class: "tta-launcher-text" }, S.launcher));
      launcher.addEventListener("click", function () {
        open(true);
      });
      root.appendChild(launcher);
    }

    panel = el("div", inline ? { class: "tta-panel", id: "tta-panel" }
      : { class: "tta-panel", id: "tta-panel", role: "dialog", "aria-modal": "false", "aria-labelledby": titleId,
        "aria-describedby": privacyId, hidden: true });

    var header = el("div", { class: "tta-header" });
    header.appendChild(el(inline ? "h3" : "h2", { class: "tta-title", id: titleId }, S.title));
    if (!inline) {
      var close = el("button", { type: "button", class: "tta-close", "aria-label": S.close, title: S.close });
      close.appendChild(svgIcon(ICON_CLOSE));
      close.addEventListener("click", function () {
        closePanel(true);
      });
      header.appendChild(close);
    }
    panel.appendChild(header);

    var body = el("div", { class: "tta-body" });

    chatIdLine = el("p", { class: "tta-chatid", hidden: true });
    chatIdLine.appendChild(document.createTextNode(S.chatId + " "));
    chatIdValue = el("strong", { class: "tta-chatid-value" });
    chatIdLine.appendChild(chatIdValue);
    chatIdLine.appendChild(document.createTextNode(" — " + S.chatIdHint));
    body.appendChild(chatIdLine);

    notice = el("div", { class: "tta-notice", role: "alert" });
    body.appendChild(notice);

    log = el("div", { class: "tta-log", role: "log", "aria-live": "polite", "aria-relevant": "additions",
      "aria-label": S.conversation, tabindex: "0" });
    body.appendChild(log);

    status = el("p", { class: "tta-sr-only", role: "status" });
    body.appendChild(status);

    form = el("form", { class: "tta-form", novalidate: true });
    var inputId = nextId("input");
    var hintId = nextId("hint");
    var errorId = nextId("error");
    form.appendChild(el("label", { for: inputId, class: "tta-label" }, S.inputLabel));
    var row = el("div", { class: "tta-input-row" });
    input = el("input", { id: inputId, type: "text", class: "tta-input", autocomplete: "off", maxlength: "2000",
      "aria-describedby": hintId + " " + errorId, enterkeyhint: "send" });
    sendButton = el("button", { type: "submit", class: "tta-button tta-button--primary tta-send" }, S.send);
    row.appendChild(input);
    row.appendChild(sendButton);
    form.appendChild(row);
    form.appendChild(el("p", { id: hintId, class: "tta-hint" }, S.inputHint));
    inputError = el("p", { id: errorId, class: "tta-input-error" });
    form.appendChild(inputError);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = input.value.trim();
      if (!text) {
        inputError.textContent = S.empty;
        input.setAttribute("aria-invalid", "true");
        input.focus();
        return;
      }
      send(text, text);
    });
    input.addEventListener("input", function () {
      if (inputError.textContent) {
        inputError.textContent = "";
        input.removeAttribute("aria-invalid");
      }
    });
    body.appendChild(form);

    var tools = el("div", { class: "tta-tools", role: "group", "aria-label": S.tools });
    var startOver = el("button", { type: "button", class: "tta-button tta-button--link tta-start-over" }, S.startOver);
    startOver.addEventListener("click", restart);
    var download = el("button", { type: "button", class: "tta-button tta-button--link tta-download" }, S.download);
    download.addEventListener("click", downloadTranscript);
    var print = el("button", { type: "button", class: "tta-button tta-button--link tta-print" }, S.print);
    print.addEventListener("click", printTranscript);
    tools.appendChild(download);
    if (!inline) {
      tools.appendChild(print);
    }
    tools.appendChild(startOver);
    body.appendChild(tools);

    panel.appendChild(body);
    panel.addEventListener("keydown", function (event) {
      if ((event.key === "Escape" || event.key === "Esc") && !inline) {
        event.preventDefault();
        closePanel(true);
      }
    });
    panel.addEventListener("focusin", touchSoft);
    root.appendChild(panel);
    if (!inline) {
      // keeps the launcher from covering the end of the page
      root.appendChild(el("div", { class: "tta-spacer", "aria-hidden": "true" }));
    }
    host.appendChild(root);
    showWelcome();
    return true;
  }

  function showWelcome() {
    // shown each time a conversation starts; it scrolls away as the conversation grows
    log.appendChild(el("p", { class: "tta-privacy", id: privacyId, lang: pageLang },
      agentMode ? S.agentNotice : S.privacy));
    var message = el("div", { class: "tta-msg tta-msg--bot tta-msg--welcome", lang: pageLang });
    var text = el("div", { class: "tta-text" });
    renderText(text, S.welcome);
    message.appendChild(text);
    message.appendChild(buttonGroup(S.suggestions, S.topics.map(function (topic) {
      return { title: topic[0], payload: topic[1] };
    }), "tta-suggestions"));
    log.appendChild(message);
  }

  function buttonGroup(label, buttons, className) {
    var group = el("div", { class: "tta-choices " + (className || ""), role: "group", "aria-label": label });
    buttons.forEach(function (button) {
      if (!button || !button.title) {
        return;
      }
      var node = el("button", { type: "button", class: "tta-button tta-button--choice", "data-payload": button.payload },
        button.title);
      node.addEventListener("click", function () {
        send(button.payload || button.title, button.title);
      });
      group.appendChild(node);
    });
    return group;
  }

  function setChatId(value) {
    if (!value) {
      return;
    }
    chatId = String(value);
    chatIdValue.textContent = chatId;
    chatIdLine.hidden = false;
  }

  function scrollTo(node) {
    if (!log || !node) {
      return;
    }
    var top = node.offsetTop - log.offsetTop;
    log.scrollTop = Math.max(0, top - 8);
  }

  /* A question is marked with the page's language until the reply states the language the
     conversation is in (see send); a restored question, with the language stored with it. */
  function addUser(text, lang) {
    var message = el("div", { class: "tta-msg tta-msg--user", lang: lang || pageLang,
      "data-index": position });
    position += 1;
    message.appendChild(el("span", { class: "tta-sr-only", lang: pageLang }, S.you + " "));
    var body = el("div", { class: "tta-text" });
    renderText(body, text);
    message.appendChild(body);
    log.appendChild(message);
    log.scrollTop = log.scrollHeight;
    return message;
  }

  function addBot(data, options) {
    options = options || {};
    var lang = messageLang(data);
    var index = position;
    position += 1;
    var message = el("div", { class: "tta-msg tta-msg--bot", lang: lang, "data-index": index,
      "data-topic": data.topic || "" });
    message.appendChild(el("span", { class: "tta-sr-only", lang: pageLang }, S.bot + " "));
    var text = el("div", { class: "tta-text" });
    renderText(text, data.text);
    message.appendChild(text);

    var sources = (data.sources || []).filter(function (source) {
      return source && /^https:\/\//.test(source.url || "");
    });
    if (sources.length) {
      var block = el("div", { class: "tta-sources" });
      var label = el("p", { class: "tta-sources-label", lang: pageLang }, sources.length > 1 ? S.sources : S.source);
      block.appendChild(label);
      var list = el("ul");
      sources.forEach(function (source) {
        var item = el("li");
        item.appendChild(el("a", { href: source.url, lang: lang },
          source.title || source.url));
        list.appendChild(item);
      });
      block.appendChild(list);
      message.appendChild(block);
    }
    if (data.last_checked) {
      message.appendChild(el("p", { class: "tta-checked", lang: pageLang }, S.checked + data.last_checked));
    }
    if (data.buttons && data.buttons.length) {
      message.appendChild(buttonGroup(S.answerButtons, data.buttons));
    }
    if (!options.history && data.text) {
      var actions = el("div", { class: "tta-actions", lang: pageLang });
      actions.appendChild(feedbackBlock(index, data.topic || ""));
      if (agentMode) {
        actions.appendChild(copyButton(data, sources));
      }
      message.appendChild(actions);
    }
    log.appendChild(message);
    return message;
  }

  function addNote(text, className) {
    var note = el("div", { class: "tta-msg tta-msg--note " + (className || ""), lang: pageLang });
    renderText(note, text);
    log.appendChild(note);
    log.scrollTop = log.scrollHeight;
    return note;
  }

  /* ---------- feedback ---------- */

  function feedbackBlock(index, topic) {
    var wrapper = el("div", { class: "tta-feedback" });
    var questionId = nextId("helpful");
    var question = el("p", { class: "tta-feedback-question", id: questionId }, S.helpful);
    var choices = el("div", { class: "tta-feedback-choices", role: "group", "aria-labelledby": questionId });
    var yes = el("button", { type: "button", class: "tta-button tta-button--small tta-feedback-yes",
      "aria-pressed": "false" }, S.yes);
    var no = el("button", { type: "button", class: "tta-button tta-button--small tta-feedback-no",
      "aria-pressed": "false" }, S.no);
    choices.appendChild(yes);
    choices.appendChild(no);
    var details = el("form", { class: "tta-feedback-details", hidden: true, novalidate: true });
    var result = el("p", { class: "tta-feedback-result", role: "status" });
    wrapper.appendChild(question);
    wrapper.appendChild(choices);
    wrapper.appendChild(details);
    wrapper.appendChild(result);

    var helpful = null;
    var name = nextId("reason");

    function choose(value) {
      helpful = value;
      yes.setAttribute("aria-pressed", value ? "true" : "false");
      no.setAttribute("aria-pressed", value ? "false" : "true");
      details.textContent = "";
      var fieldset = el("fieldset", { class: "tta-fieldset" });
      fieldset.appendChild(el("legend", null, value ? S.savedLegend : S.reasonLegend));
      var options = value ? [["saved_call", S.savedCall]] : S.reasons;
      options.forEach(function (option) {
        var id = nextId("opt");
        var row = el("div", { class: "tta-option" });
        row.appendChild(el("input", { type: value ? "checkbox" : "radio", name: name, id: id,
          value: option[0] }));
        row.appendChild(el("label", { for: id }, option[1]));
        fieldset.appendChild(row);
      });
      details.appendChild(fieldset);
      details.appendChild(el("button", { type: "submit", class: "tta-button tta-button--small tta-button--primary" },
        S.sendFeedback));
      details.hidden = false;
    }

    yes.addEventListener("click", function () {
      choose(true);
    });
    no.addEventListener("click", function () {
      choose(false);
    });
    details.addEventListener("submit", function (event) {
      event.preventDefault();
      var checked = details.querySelector("input:checked");
      var payload = { index: index, topic: topic, helpful: helpful };
      if (checked) {
        payload.reason = checked.value;
      }
      var submit = details.querySelector("button[type=submit]");
      submit.disabled = true;
      api("POST", "/api/feedback", payload).then(function (response) {
        if (response.ok) {
          wrapper.textContent = "";
          wrapper.appendChild(el("p", { class: "tta-feedback-result tta-feedback-done", role: "status" }, S.thanks));
          var focusTarget = input;
          if (focusTarget && panelVisible()) {
            focusTarget.focus();
          }
        } else {
          submit.disabled = false;
          result.textContent = response.status === 0 ? S.feedbackFailed : errorText(response);
        }
      });
      touch();
    });
    return wrapper;
  }

  /* ---------- copy (agent console) ---------- */

  function copyText(data, sources) {
    var lines = [String(data.text || "")];
    sources.forEach(function (source) {
      lines.push((sources.length > 1 ? S.sources : S.source) + " " + (source.title || "") + " — " + source.url);
    });
    return lines.join("\n\n");
  }

  function copyButton(data, sources) {
    var button = el("button", { type: "button", class: "tta-button tta-button--small tta-copy",
      "aria-label": S.copyLabel }, S.copy);
    button.addEventListener("click", function () {
      var text = copyText(data, sources);
      writeClipboard(text).then(function () {
        button.textContent = S.copied;
        status.textContent = S.copied;
        window.setTimeout(function () {
          button.textContent = S.copy;
        }, 2500);
      }, function () {
        status.textContent = S.copyFailed;
      });
    });
    return button;
  }

  function writeClipboard(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = el("textarea", { class: "tta-offscreen", readonly: true });
      area.value = text;
      document.body.appendChild(area);
      area.select();
      var done = false;
      try {
        done = document.execCommand("copy");
      } catch (ignore) {
        done = false;
      }
      document.body.removeChild(area);
      if (done) {
        resolve();
      } else {
        reject(new Error("copy"));
      }
    });
  }

  /* ---------- sending ---------- */

  function setBusy(value) {
    busy = value;
    sendButton.disabled = value;
    form.classList.toggle("tta-form--busy", value);
  }

  function send(text, shown) {
    if (busy) {
      return;
    }
    inputError.textContent = "";
    input.removeAttribute("aria-invalid");
    var question = addUser(shown || text);
    if (shown === input.value.trim()) {
      input.value = "";
    }
    setBusy(true);
    var waiting = el("div", { class: "tta-msg tta-msg--waiting", lang: pageLang, "aria-hidden": "true" }, S.waiting);
    log.appendChild(waiting);
    log.scrollTop = log.scrollHeight;
    status.textContent = S.waiting;
    started = true;
    touch();
    api("POST", "/api/chat", { message: text, lang: pageLang }).then(function (result) {
      if (waiting.parentNode) {
        waiting.parentNode.removeChild(waiting);
      }
      status.textContent = "";
      var first = null;
      if (result.ok && result.body && Array.isArray(result.body.messages)) {
        setChatId(result.body.chat_id);
        if (result.body.messages.length) {
          // The gateway answers in the language the person writes in: the question is in it too.
          question.setAttribute("lang", messageLang(result.body.messages[0]));
        }
        result.body.messages.forEach(function (message) {
          var node = addBot(message);
          first = first || node;
        });
      } else {
        first = addNote(errorText(result), "tta-msg--error");
      }
      scrollTo(first);
      setBusy(false);
      touch();
    });
  }

  /* ---------- open / close ---------- */

  function panelVisible() {
    return !!panel && !panel.hidden;
  }

  function open(moveFocus, from) {
    if (!panel) {
      return;
    }
    if (launcher && panel.hidden) {
      opener = from || launcher;
      panel.hidden = false;
      launcher.setAttribute("aria-expanded", "true");
      launcher.hidden = true;
      root.classList.add("tta-root--open");
    }
    if (!opened) {
      opened = true;
      restore();
    }
    if (moveFocus !== false) {
      input.focus();
    }
  }

  function closePanel(moveFocus) {
    if (!launcher || panel.hidden) {
      return;
    }
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    root.classList.remove("tta-root--open");
    if (moveFocus !== false) {
      var target = opener && opener !== launcher && document.body.contains(opener) &&
        opener.getClientRects().length ? opener : launcher;
      target.focus();
    }
  }

  /* The conversation so far (after a page change or reload), from the server. */
  function restore() {
    if (restored || containerId) {
      return;
    }
    restored = true;
    api("GET", "/api/transcript").then(function (result) {
      if (!result.ok || !result.body || position > 0) {
        return;
      }
      var messages = Array.isArray(result.body.messages) ? result.body.messages : [];
      if (!messages.length) {
        return;
      }
      setChatId(result.body.chat_id);
      started = true;
      var marker = el("p", { class: "tta-history-marker" }, S.earlier);
      log.appendChild(marker);
      messages.forEach(function (message) {
        if (message.role === "user") {
          addUser(message.text || "", messageLang(message));
        } else {
          addBot({ text: message.text || "", topic: message.topic, lang: message.lang, sources: [], buttons: [] },
            { history: true });
        }
      });
      log.scrollTop = log.scrollHeight;
      touch();
    });
  }

  /* ---------- idle warning and time-out ---------- */

  function clearTimers() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    warnTimer = endTimer = null;
  }

  function touch() {
    lastActivity = Date.now();
    clearTimers();
    if (!started) {
      return;
    }
    if (idleWarning > 0) {
      warnTimer = window.setTimeout(showIdleWarning, idleWarning * 1000);
    }
    if (idleTimeout > 0) {
      endTimer = window.setTimeout(expire, idleTimeout * 1000);
    }
  }

  /* Focus inside the panel counts as activity only while no warning is showing. */
  function touchSoft() {
    if (!notice.firstChild && Date.now() - lastActivity > 5000) {
      touch();
    }
  }

  function showIdleWarning() {
    notice.textContent = "";
    notice.className = "tta-notice tta-notice--warning";
    notice.appendChild(el("p", null, S.idleWarning));
    var button = el("button", { type: "button", class: "tta-button tta-button--primary tta-continue" }, S.continueLabel);
    button.addEventListener("click", keepAlive);
    notice.appendChild(button);
    if (launcher && panel.hidden) {
      open(false); // show the warning without taking focus away from the page
    }
  }

  function keepAlive() {
    // Any request with the session cookie counts as activity on the server.
    api("GET", "/api/transcript").then(function () {
      notice.textContent = "";
      notice.className = "tta-notice";
      status.textContent = S.continued;
      touch();
      input.focus();
    });
  }

  function expire() {
    clearTimers();
    api("POST", "/api/session/restart", {}).then(function () {
      resetConversation();
      notice.textContent = "";
      notice.className = "tta-notice tta-notice--info";
      notice.appendChild(el("p", null, S.expired));
    });
  }

  /* ---------- start over, transcript ---------- */

  function resetConversation() {
    clearTimers();
    started = false;
    chatId = "";
    position = 0;
    chatIdValue.textContent = "";
    chatIdLine.hidden = true;
    notice.textContent = "";
    notice.className = "tta-notice";
    log.textContent = "";
    showWelcome();
  }

  function restart() {
    api("POST", "/api/session/restart", {}).then(function (result) {
      if (!result.ok) {
        addNote(errorText(result), "tta-msg--error");
        return;
      }
      resetConversation();
      status.textContent = S.restarted;
      input.value = "";
      input.focus();
    });
  }

  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }

  function formatTime(value) {
    var date = value ? new Date(value) : new Date();
    if (isNaN(date.getTime())) {
      return String(value || "");
    }
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + " " +
      pad(date.getHours()) + ":" + pad(date.getMinutes());
  }

  /* The transcript from the rendered conversation, when the server cannot give it. */
  function localTranscript() {
    var messages = [];
    Array.prototype.forEach.call(log.querySelectorAll(".tta-msg--user, .tta-msg--bot:not(.tta-msg--welcome)"),
      function (node) {
        var text = node.querySelector(".tta-text");
        messages.push({ role: node.classList.contains("tta-msg--user") ? "user" : "bot",
          text: text ? text.innerText || text.textContent : "", at: "" });
      });
    return { chat_id: chatId, messages: messages };
  }

  function transcriptText(data) {
    var lines = [S.transcriptTitle];
    if (data.chat_id) {
      lines.push(S.chatId + " " + data.chat_id);
    }
    lines.push(S.transcriptDownloaded + " " + formatTime());
    lines.push("");
    data.messages.forEach(function (message) {
      var who = message.role === "user" ? S.you : S.bot;
      var prefix = (message.at ? "[" + formatTime(message.at) + "] " : "") + who + " ";
      var text = String(message.text || "").replace(/\r?\n/g, "\n    ");
      lines.push(prefix + text);
      lines.push("");
    });
    return lines.join("\n");
  }

  function downloadTranscript() {
    api("GET", "/api/transcript").then(function (result) {
      var data = result.ok && result.body && Array.isArray(result.body.messages) ? result.body : localTranscript();
      if (!data.messages.length) {
        status.textContent = "";
        window.setTimeout(function () {
          status.textContent = S.transcriptEmpty;
        }, 50);
        return;
      }
      var blob = new Blob([transcriptText(data) + "\n"], { type: "text/plain;charset=utf-8" });
      var url = URL.createObjectURL(blob);
      var link = el("a", { href: url, download: S.transcriptFile + (data.chat_id ? "-" + data.chat_id : "") + ".txt",
        class: "tta-offscreen" });
      document.body.appendChild(link);
      link.click();
      document.body.removeChild(link);
      window.setTimeout(function () {
        URL.revokeObjectURL(url);
      }, 10000);
      touch();
    });
  }

  function printTranscript() {
    var html = document.documentElement;
    html.classList.add("tta-printing");
    var done = function () {
      html.classList.remove("tta-printing");
      window.removeEventListener("afterprint", done);
    };
    window.addEventListener("afterprint", done);
    window.print();
    window.setTimeout(done, 1000);
  }

  /* ---------- start ---------- */

  function init() {
    loadStylesheet();
    if (!build()) {
      return;
    }
    if (containerId) {
      opened = true;
    } else {
      // any element of the page with data-tta-open also opens the assistant
      document.addEventListener("click", function (event) {
        var target = event.target && event.target.closest ? event.target.closest("[data-tta-open]") : null;
        if (target) {
          event.preventDefault();
          open(true, target);
        }
      });
    }
    document.addEventListener("visibilitychange", function () {
      // timers may be throttled in background tabs: check the elapsed time when the page is back
      if (document.visibilityState === "visible" && started) {
        var idle = (Date.now() - lastActivity) / 1000;
        if (idleTimeout && idle >= idleTimeout) {
          expire();
        } else if (idleWarning && idle >= idleWarning && !notice.firstChild) {
          showIdleWarning();
        }
      }
    });
  }

  window.PIPAssistant = {
    lang: pageLang,
    open: function () {
      open(true);
    },
    close: function () {
      closePanel(true);
    },
    send: function (text) {
      send(text, text);
    },
    setHeader: function (name, value) {
      if (value) {
        extraHeaders[name] = value;
      } else {
        delete extraHeaders[name];
      }
    },
    reset: function () {
      if (log) {
        resetConversation();
      }
    },
    restart: restart,
    chatId: function () {
      return chatId;
    }
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
