// The ribbon's function file (templates/addin/commands.js) against a fake Excel and
// fetch: every button has a function, each command sends the sheets it needs, the
// server's actions are applied, errors are shown, and event.completed() always runs.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { SYNC_CELLS, Workbook, event, loadScript, office, response } from "./fake_office.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const SCRIPT = path.join(ROOT, "templates", "addin", "commands.js");
const MANIFEST = fs.readFileSync(path.join(ROOT, "templates", "addin", "manifest.xml"), "utf8");
const FOLD = "[\\s_\\-—./\\\\()（）\\[\\]【】:：%％*]+"; // the server's fold rule, as it sends it

// What GET /xlwings/commands answers (trimmed to two commands).
const DESCRIBED = {
  fold: FOLD,
  commands: [
    { name: "plan", tables: [
      { name: "items", required: true, sheets: ["items", "物料"] },
      { name: "bom", required: true, sheets: ["bom"] },
      { name: "sales_orders", required: false, sheets: ["salesorders", "销售订单"] }] },
    { name: "check", tables: [{ name: "items", required: true, sheets: ["items"] }] },
  ],
};

function book() {
  return new Workbook({
    Notes: [["anything"]],
    物料: [["", ""], ["", ""], ["物料编码", "物料名称"], ["A-1", "风扇"]], // header in row 3
    BOM: [["Parent code", "Component code"], ["A-1", "B-2"]],
    "Sales  Orders": [["Order no"], ["SO-1"]],
  });
}

function setup(workbook, answer, settings = { token: "xlerp_secret", date: "2026-12-01", bucket: "week" }) {
  const fake = office(workbook, {
    "GET /xlwings/commands": () => response(200, DESCRIBED),
    "POST /xlwings/plan": answer,
    "POST /xlwings/check": answer,
  }, settings);
  fake.context = loadScript(SCRIPT, fake.globals);
  return fake;
}

test("every FunctionName of the manifest has an associated function", () => {
  const fake = setup(book(), () => response(200, { actions: [], messages: [], ok: true }));
  const names = [...MANIFEST.matchAll(/<FunctionName>([^<]+)<\/FunctionName>/g)].map((m) => m[1]);
  assert.ok(names.length >= 2);
  assert.deepEqual([...fake.associated.keys()].sort(), names.sort());
});

test("a command sends every sheet's name and the cells of the sheets it reads", async () => {
  const fake = setup(book(), () => response(200, { actions: [], messages: ["done"], ok: true }));
  const e = event();
  await fake.associated.get("plan")(e);
  assert.equal(e.completions, 1);
  const post = fake.requests.find((r) => r.method === "POST");
  assert.equal(post.url, "https://xlerp.test/xlwings/plan");
  assert.equal(post.headers.Authorization, "Bearer xlerp_secret");
  assert.deepEqual(post.body.args, [{ date: "2026-12-01", bucket: "week" }]);
  const sheets = Object.fromEntries(post.body.sheets.map((s) => [s.name, s.values]));
  assert.deepEqual(Object.keys(sheets), ["Notes", "物料", "BOM", "Sales  Orders"]);
  assert.deepEqual(sheets.Notes, []); // not a table of this command: name only
  // from A1, so that the header's row index + 1 is its Excel row (3)
  assert.deepEqual(sheets["物料"], [["", ""], ["", ""], ["物料编码", "物料名称"], ["A-1", "风扇"]]);
  assert.deepEqual(sheets["Sales  Orders"], [["Order no"], ["SO-1"]]); // found by folding
  const log = JSON.parse(fake.localStorage.getItem("xlerp.messages"));
  assert.deepEqual([log[0].command, log[0].ok, log[0].lines], ["plan", true, ["done"]]);
  assert.equal(fake.dialogs.length, 0);
});

test("a newer command (cost) is run from what the server describes, with no code of its own", async () => {
  const described = { fold: FOLD, commands: [
    { name: "cost", tables: [{ name: "bom", required: true, sheets: ["bom"] }] }] };
  const fake = office(book(), {
    "GET /xlwings/commands": () => response(200, described),
    "POST /xlwings/cost": () => response(200, { actions: [], messages: ["costed"], ok: true }),
  }, { token: "xlerp_secret" });
  fake.context = loadScript(SCRIPT, fake.globals);
  const e = event();
  await fake.associated.get("cost")(e);
  assert.equal(e.completions, 1);
  assert.equal(fake.dialogs.length, 0, fake.dialogs.map(String).join());
  const post = fake.requests.find((r) => r.method === "POST");
  assert.equal(post.url, "https://xlerp.test/xlwings/cost");
  const read = post.body.sheets.filter((s) => s.values.length).map((s) => s.name);
  assert.deepEqual(read, ["BOM"]); // only the sheet the server named; the others by name only
  const log = JSON.parse(fake.localStorage.getItem("xlerp.messages"));
  assert.deepEqual([log[0].command, log[0].ok, log[0].lines], ["cost", true, ["costed"]]);
});

test("a big sheet is read in chunks that each stay under Excel's request limit", async () => {
  const rows = Array.from({ length: 30000 }, (_, i) => [`A-${i}`, "x", i, i * 2]);
  const workbook = new Workbook({ Items: [["Item code", "Item name", "a", "b"], ...rows], BOM: [] });
  const fake = setup(workbook, () => response(200, { actions: [], messages: [], ok: true }));
  const e = event();
  await fake.associated.get("check")(e);
  assert.equal(e.completions, 1);
  assert.equal(fake.dialogs.length, 0, fake.dialogs.map(String).join());
  const values = fake.requests.find((r) => r.method === "POST").body.sheets[0].values;
  // 30,001 rows × 4 columns = 120,004 cells; 50,000 per read: 12,500 rows at a time
  assert.equal(values.length, 30001);
  assert.deepEqual(values[30000], ["A-29999", "x", 29999, 59998]);
  assert.ok(120004 > SYNC_CELLS);
});

test("the server's actions are applied to the workbook", async () => {
  const workbook = book();
  const actions = [
    { func: "addSheet", args: [4, "Planned orders"] },
    { func: "setNumberFormat", args: ["@"], sheet_position: 4, start_row: 1, start_column: 0, row_count: 2, column_count: 1 },
    { func: "setNumberFormat", args: ["yyyy-mm-dd"], sheet_position: 4, start_row: 1, start_column: 1, row_count: 2, column_count: 1 },
    { func: "setValues", values: [["Planned order", "Release date"]], sheet_position: 4, start_row: 0, start_column: 0, row_count: 1, column_count: 2 },
    { func: "setValues", values: [["0012", 46357], ["'=x", ""]], sheet_position: 4, start_row: 1, start_column: 0, row_count: 2, column_count: 2 },
    { func: "setRangeColor", args: ["#1F4E78"], sheet_position: 4, start_row: 0, start_column: 0, row_count: 1, column_count: 2 },
    { func: "setFontProperty", args: ["bold", true], sheet_position: 4, start_row: 0, start_column: 0, row_count: 1, column_count: 2 },
    { func: "setFontProperty", args: ["color", "#FFFFFF"], sheet_position: 4, start_row: 0, start_column: 0, row_count: 1, column_count: 2 },
    { func: "setHorizontalAlignment", args: ["Center"], sheet_position: 4, start_row: 0, start_column: 0, row_count: 1, column_count: 2 },
    { func: "setVerticalAlignment", args: ["Center"], sheet_position: 4, start_row: 0, start_column: 0, row_count: 1, column_count: 2 },
    { func: "setWrapText", args: [true], sheet_position: 4, start_row: 0, start_column: 0, row_count: 1, column_count: 2 },
    { func: "setColumnWidth", args: [12], sheet_position: 4, start_row: 0, start_column: 0, row_count: 1, column_count: 2 },
    { func: "freezePaneAtRange", args: ["1:1"], sheet_position: 4 },
    { func: "addTable", args: ["A1:B3", true, "TableStyleMedium2", "xlerp_planned_orders"], sheet_position: 4 },
    { func: "addConditionalFormat", args: ["AND(ISNUMBER(B2),B2>0)", "#FFEB9C"], sheet_position: 4, start_row: 1, start_column: 1, row_count: 2, column_count: 1 },
    { func: "addChart", args: ["bar", "Shortages by component", "A2:A3", "B2:B3", "D2"], sheet_position: 4 },
    { func: "activateSheet", args: [4] },
  ];
  const fake = setup(workbook, () => response(200, { actions, messages: ["1 planned order"], ok: true }));
  const e = event();
  await fake.associated.get("plan")(e);
  assert.equal(e.completions, 1);
  assert.equal(fake.dialogs.length, 0, fake.dialogs.map(String).join());
  const sheet = workbook.sheet("Planned orders");
  assert.equal(workbook.sheets.indexOf(sheet), 4);
  // "0012" stays text because its column was formatted "@" before the values came
  assert.deepEqual(sheet.grid(), [["Planned order", "Release date"], ["0012", 46357], ["=x", ""]]);
  assert.equal(sheet.formats.get("1,0"), "@");
  assert.equal(sheet.formats.get("2,1"), "yyyy-mm-dd");
  assert.equal(sheet.fills.get("0,1"), "#1F4E78");
  assert.deepEqual(sheet.fonts.get("0,0"), { bold: true, color: "#FFFFFF" });
  assert.deepEqual(sheet.styles.get("0,1"), { horizontal: "Center", vertical: "Center", wrap: true });
  assert.equal(sheet.widths.get(1), 66.75); // 12 characters: (12 × 7 + 5) px × 0.75 pt
  assert.deepEqual(sheet.frozen, { rows: 1 });
  assert.deepEqual(sheet.tableList.map((t) => [t.name, t.address, t.style]),
    [["xlerp_planned_orders", "A1:B3", "TableStyleMedium2"]]);
  assert.deepEqual(sheet.rules.map((r) => [r.type, r.range, r.custom.rule.formula, r.custom.format.fill.color]),
    [["Custom", "B2:B3", "=AND(ISNUMBER(B2),B2>0)", "#FFEB9C"]]);
  const [chart] = sheet.chartList;
  assert.deepEqual([chart.type, chart.source, chart.categories, chart.position, chart.title.text, chart.legend.visible],
    ["BarClustered", "B2:B3", "A2:A3", "D2", "Shortages by component", false]);
  assert.equal(chart.axes.categoryAxis.reversePlotOrder, true); // largest bar on top
  assert.equal(workbook.active, sheet);
});

test("clearing a result sheet also removes last run's table and chart", async () => {
  const workbook = book();
  const bom = workbook.sheet("BOM");
  bom.tables.add("A1:B2", true);
  bom.charts.add("BarClustered", bom.getRange("B1:B2"), "Columns");
  bom.freezePanes.freezeRows(1);
  const actions = [
    { func: "sheetClear", sheet_position: 2 },
    { func: "addTable", args: ["A1:B2", true, "TableStyleMedium2", "xlerp_bom"], sheet_position: 2 },
  ];
  const fake = setup(workbook, () => response(200, { actions, messages: [], ok: true }));
  const e = event();
  await fake.associated.get("plan")(e);
  assert.equal(fake.dialogs.length, 0, fake.dialogs.map(String).join());
  assert.deepEqual(bom.grid(), []);
  assert.deepEqual(bom.tableList.map((t) => t.name), ["xlerp_bom"]);
  assert.equal(bom.chartList.length, 0);
  assert.equal(bom.frozen, null);
});

test("an alert from the server is shown in a dialog after the actions", async () => {
  const actions = [{ func: "alert", args: ['Sheet "BOM": The sheet "BOM" is missing', "Run MRP", "ok", "critical", ""] }];
  const fake = setup(book(), () => response(200, { actions, messages: ["x"], ok: false }));
  const e = event();
  await fake.associated.get("plan")(e);
  assert.equal(e.completions, 1);
  const [dialog] = fake.dialogs;
  assert.equal(dialog.pathname, "/addin/dialog.html");
  assert.equal(dialog.searchParams.get("title"), "Run MRP");
  assert.equal(dialog.searchParams.get("text"), 'Sheet "BOM": The sheet "BOM" is missing');
  assert.equal(JSON.parse(fake.localStorage.getItem("xlerp.messages"))[0].ok, false);
});

const FAILURES = [
  ["an unreachable server", async () => { throw new TypeError("Failed to fetch"); },
    "The xlerp server at https://xlerp.test cannot be reached: Failed to fetch"],
  ["a refused token", () => response(401, { detail: "the token is not valid" }),
    "The server refused the token: open xlerp → Options and paste a token made with " +
    "`xlerp token create NAME --scope read`."],
  ["a server error", () => response(500, "Internal Server Error"),
    "The xlerp server answered 500: status 500"],
  ["an action the add-in does not know", () => response(200, { actions: [{ func: "explode" }] }),
    "The server sent an action this add-in does not know: explode — update the add-in."],
];

for (const [what, answer, message] of FAILURES) {
  test(`${what} is shown, remembered, and the button still completes`, async () => {
    const fake = setup(book(), answer);
    const e = event();
    await fake.associated.get("plan")(e);
    assert.equal(e.completions, 1);
    assert.deepEqual(fake.dialogs.map((d) => d.searchParams.get("text")), [message]);
    assert.deepEqual(JSON.parse(fake.localStorage.getItem("xlerp.messages"))[0].lines, [message]);
  });
}

test("an Excel error while writing is shown and the button completes", async () => {
  const workbook = book();
  const actions = [{ func: "addSheet", args: [4, "BOM"] }]; // Excel refuses a duplicate name
  const fake = setup(workbook, () => response(200, { actions, messages: [], ok: true }));
  const e = event();
  await fake.associated.get("plan")(e);
  assert.equal(e.completions, 1);
  assert.match(fake.dialogs[0].searchParams.get("text"), /^xlerp could not finish "plan": ItemAlreadyExists: BOM/);
});

test("a command the server does not know is reported", async () => {
  const fake = setup(book(), () => response(200, {}));
  const e = event();
  await fake.context.xlerp.runCommand("launch", e);
  assert.equal(e.completions, 1);
  assert.equal(fake.dialogs[0].searchParams.get("text"),
    'The server has no command "launch": update the add-in\'s manifest.');
});

test("the fold rule matches the server's: case, spaces and punctuation do not count", () => {
  const fake = setup(book(), () => response(200, {}));
  const fold = fake.context.xlerp.fold;
  assert.equal(fold("Sales  Orders", FOLD), "salesorders");
  assert.equal(fold("【物料】(主数据)", FOLD), "物料主数据");
  assert.equal(fold("Low-level_codes", FOLD), "lowlevelcodes");
});

test("a Reports menu item runs the report command with its report name", async () => {
  const fake = office(book(), {
    "GET /xlwings/commands": () => response(200, { fold: FOLD, commands: [
      { name: "report", tables: [{ name: "items", required: true, sheets: ["items", "物料"] }] }] }),
    "POST /xlwings/report": () => response(200, { actions: [], messages: ["ok"], ok: true }),
  }, { token: "t", date: "2026-12-01" });
  fake.context = loadScript(SCRIPT, fake.globals);
  const e = event();
  await fake.associated.get("report_stock_ledger")(e);
  assert.equal(e.completions, 1);
  const post = fake.requests.find((r) => r.method === "POST");
  assert.equal(post.url, "https://xlerp.test/xlwings/report");
  assert.deepEqual(post.body.args, [{ date: "2026-12-01", name: "stock-ledger" }]);
});
