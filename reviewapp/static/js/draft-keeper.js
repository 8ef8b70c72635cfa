// Keeps a long form's text safe: a copy in this browser while the person types, offered
// back after a lost session or a crash, and a keep-alive so typing counts as activity.
(function () {
  "use strict";
  var form = document.querySelector("form[data-keep-draft]");
  if (!form || !window.localStorage) { return; }
  var key = "reviewapp-draft:" + form.getAttribute("data-keep-draft");
  var savedOnServer = Number(form.getAttribute("data-saved-at") || 0);
  var keepAliveUrl = form.getAttribute("data-keepalive-url");
  var lastPing = Date.now();
  var timer = null;

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrf_token" &&
        (el.tagName === "TEXTAREA" || el.tagName === "SELECT" ||
         (el.tagName === "INPUT" && /^(text|number|date|email)$/.test(el.type)));
    });
  }

  function snapshot() {
    var values = {};
    fields().forEach(function (el) { values[el.name] = el.value; });
    return values;
  }

  function store() {
    try {
      localStorage.setItem(key, JSON.stringify({ savedAt: Date.now(), values: snapshot() }));
    } catch (e) { /* storage full or disabled: the server copy still exists */ }
  }

  function ping() {
    if (!keepAliveUrl || Date.now() - lastPing < 4 * 60 * 1000) { return; }
    lastPing = Date.now();
    var token = form.querySelector("input[name=csrf_token]");
    fetch(keepAliveUrl, { method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "" } }).catch(function () {});
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(store, 800);
    ping();
  });

  var kept = null;
  try { kept = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { kept = null; }
  if (!kept || kept.savedAt <= savedOnServer) {
    localStorage.removeItem(key);  // the server has everything this browser had
    return;
  }
  var current = snapshot();
  var differs = Object.keys(kept.values).some(function (name) {
    return name in current && current[name] !== kept.values[name];
  });
  if (!differs) { localStorage.removeItem(key); return; }

  var banner = document.createElement("div");
  banner.className = "error-summary";
  banner.setAttribute("role", "alert");
  banner.setAttribute("tabindex", "-1");
  var heading = document.createElement("h2");
  heading.textContent = "This browser kept text you had not saved";
  var text = document.createElement("p");
  text.textContent = "Typed on " + new Date(kept.savedAt).toLocaleString() +
    ", after the last save. Restore it into the form, then save.";
  var restore = document.createElement("button");
  restore.type = "button";
  restore.textContent = "Restore my unsaved text";
  var discard = document.createElement("button");
  discard.type = "button";
  discard.className = "secondary";
  discard.textContent = "Discard it";
  var actions = document.createElement("div");
  actions.className = "actions";
  actions.appendChild(restore);
  actions.appendChild(discard);
  banner.appendChild(heading);
  banner.appendChild(text);
  banner.appendChild(actions);
  form.parentNode.insertBefore(banner, form);
  banner.focus();

  restore.addEventListener("click", function () {
    fields().forEach(function (el) {
      if (el.name in kept.values) { el.value = kept.values[el.name]; }
    });
    heading.textContent = "Your unsaved text is back in the form";
    text.textContent = "Check it, then press Save draft.";
    actions.remove();
  });
  discard.addEventListener("click", function () {
    localStorage.removeItem(key);
    banner.remove();
  });
})();
