/*
 * xlerp task pane: the options every command gets (token, planning date, time buckets,
 * language of the result sheets) and the messages of the last runs.
 *
 * Options are saved in localStorage "xlerp.settings", which commands.js reads when a
 * ribbon button runs; commands.js adds each run's messages to "xlerp.messages".
 */
(function (root) {
  "use strict";

  const SETTINGS_KEY = "xlerp.settings";
  const MESSAGES_KEY = "xlerp.messages";
  const FIELDS = ["token", "date", "bucket", "lang"];

  function loadJSON(key, fallback) {
    try {
      const text = root.localStorage.getItem(key);
      return text ? JSON.parse(text) : fallback;
    } catch (error) {
      return fallback;
    }
  }

  function fill(document) {
    const saved = loadJSON(SETTINGS_KEY, {});
    for (const name of FIELDS) {
      document.getElementById(name).value = saved[name] || "";
    }
  }

  function save(document) {
    const settings = {};
    for (const name of FIELDS) {
      const value = String(document.getElementById(name).value || "").trim();
      if (value) {
        settings[name] = value;
      }
    }
    root.localStorage.setItem(SETTINGS_KEY, JSON.stringify(settings));
    document.getElementById("saved").textContent = "✓";
    return settings;
  }

  // Newest run first; text only, never HTML: messages quote the user's own cells.
  function render(document) {
    const box = document.getElementById("messages");
    box.replaceChildren();
    for (const run of loadJSON(MESSAGES_KEY, [])) {
      const item = document.createElement("div");
      item.className = run.ok ? "run" : "run failed";
      const when = document.createElement("div");
      when.className = "when";
      when.textContent = `${run.time.replace("T", " ").slice(0, 19)} · ${run.command}`;
      item.appendChild(when);
      for (const line of run.lines || []) {
        const p = document.createElement("p");
        p.textContent = line;
        item.appendChild(p);
      }
      box.appendChild(item);
    }
  }

  function start(document) {
    fill(document);
    render(document);
    document.getElementById("settings").addEventListener("submit", (event) => {
      event.preventDefault();
      save(document);
    });
    // A ribbon button runs in another page of the same origin: its messages arrive here
    // as storage events (and on focus, for hosts that do not send them).
    root.addEventListener("storage", () => render(document));
    root.addEventListener("focus", () => render(document));
  }

  root.xlerpTaskpane = { fill, render, save, start };
  if (root.Office && root.document) {
    root.Office.onReady(() => start(root.document));
  }
})(globalThis);
