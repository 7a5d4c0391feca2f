// The task pane (templates/addin/taskpane.js): options saved where commands.js reads
// them, and the last runs' messages shown as text.
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { Storage, loadScript } from "./fake_office.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const SCRIPT = path.join(ROOT, "templates", "addin", "taskpane.js");

class Element {
  constructor(tag) {
    Object.assign(this, { tag, value: "", textContent: "", className: "", children: [], handlers: {} });
  }
  appendChild(child) { this.children.push(child); return child; }
  replaceChildren() { this.children = []; }
  addEventListener(type, handler) { this.handlers[type] = handler; }
  get text() { return [this.textContent, ...this.children.map((c) => c.text)].filter(Boolean).join("|"); }
}

function page(stored = {}) {
  const elements = Object.fromEntries(["token", "date", "bucket", "lang", "saved", "messages", "settings"]
    .map((id) => [id, new Element(id)]));
  const document = { getElementById: (id) => elements[id], createElement: (tag) => new Element(tag) };
  const listeners = {};
  const localStorage = new Storage(stored);
  const context = loadScript(SCRIPT, {
    localStorage, addEventListener: (type, handler) => { listeners[type] = handler; },
  });
  return { context, document, elements, listeners, localStorage };
}

test("saved options fill the form, and saving keeps only what was filled in", () => {
  const { context, document, elements, localStorage } = page({
    "xlerp.settings": JSON.stringify({ token: "xlerp_abc", bucket: "week" }) });
  context.xlerpTaskpane.start(document);
  assert.equal(elements.token.value, "xlerp_abc");
  assert.equal(elements.bucket.value, "week");
  assert.equal(elements.date.value, "");
  elements.date.value = " 2026-12-01 ";
  elements.lang.value = "";
  let prevented = false;
  elements.settings.handlers.submit({ preventDefault() { prevented = true; } });
  assert.ok(prevented);
  assert.deepEqual(JSON.parse(localStorage.getItem("xlerp.settings")),
    { token: "xlerp_abc", date: "2026-12-01", bucket: "week" });
  assert.equal(elements.saved.textContent, "✓");
});

test("the last runs are listed newest first, as text, and refresh on storage events", () => {
  const runs = [
    { time: "2026-12-01T09:30:05.123Z", command: "plan", ok: false, lines: ["<b>bad</b> row 4"] },
    { time: "2026-12-01T09:00:00.000Z", command: "check", ok: true, lines: ["0 errors"] },
  ];
  const { context, document, elements, listeners, localStorage } = page({
    "xlerp.messages": JSON.stringify(runs) });
  context.xlerpTaskpane.start(document);
  const shown = elements.messages.children;
  assert.deepEqual(shown.map((c) => c.className), ["run failed", "run"]);
  assert.equal(shown[0].text, "2026-12-01 09:30:05 · plan|<b>bad</b> row 4");
  localStorage.setItem("xlerp.messages", JSON.stringify(runs.slice(1)));
  listeners.storage();
  assert.equal(elements.messages.children.length, 1);
});

test("an empty or damaged store shows nothing rather than failing", () => {
  const { context, document, elements } = page({ "xlerp.messages": "{not json" });
  context.xlerpTaskpane.start(document);
  assert.equal(elements.messages.children.length, 0);
  assert.equal(elements.token.value, "");
});
