/*
 * xlerp ribbon commands (the manifest's function file).
 *
 * A button runs one command of the xlerp server: read the sheets the command needs,
 * POST them in the xlwings wire format to /xlwings/<command>, replay the actions that
 * come back (values, sheets, formats, tables, charts, alerts), and always tell Excel the
 * button's work is done with event.completed(). Which sheets a command reads comes from
 * GET /xlwings/commands: this file knows no table or sheet name.
 *
 * Settings (token, planning date, bucket, language) are saved by the task pane in
 * localStorage "xlerp.settings"; the messages of each run go to "xlerp.messages".
 */
(function (root) {
  "use strict";

  // The manifest's FunctionNames: each is the name of a command on the server, or, in the
  // Reports menu, "report_" + a report name with "_" for "-": the report command with
  // that name (its "Reports" item runs them all).
  const FUNCTIONS = ["check", "plan", "tasks", "kit", "post", "alerts", "cost", "match",
                     "report", "suggest"];
  const REPORTS = ["stock-ledger", "stock-status", "ageing", "quality", "dashboard",
                   "shortage", "progress", "subcontract", "cost", "profit"];
  const SETTINGS_KEY = "xlerp.settings";
  const MESSAGES_KEY = "xlerp.messages";
  const CELLS_PER_READ = 50000; // one read stays well under Office.js' 5 MB response limit
  const KEEP_MESSAGES = 20;

  function origin() {
    return root.location.origin;
  }

  function loadJSON(key, fallback) {
    try {
      const text = root.localStorage.getItem(key);
      return text ? JSON.parse(text) : fallback;
    } catch (error) {
      return fallback;
    }
  }

  function settings() {
    return loadJSON(SETTINGS_KEY, {});
  }

  function remember(entry) {
    const log = [entry, ...loadJSON(MESSAGES_KEY, [])].slice(0, KEEP_MESSAGES);
    root.localStorage.setItem(MESSAGES_KEY, JSON.stringify(log));
  }

  // The server's fold rule: case-, space- and punctuation-insensitive sheet names.
  function fold(text, pattern) {
    return String(text).replace(new RegExp(pattern, "gu"), "").toLowerCase();
  }

  class XlerpError extends Error {}

  async function request(path, init) {
    let response;
    try {
      response = await root.fetch(origin() + path, init);
    } catch (error) {
      throw new XlerpError(`The xlerp server at ${origin()} cannot be reached: ${error.message}`);
    }
    if (response.status === 401 || response.status === 403) {
      throw new XlerpError("The server refused the token: open xlerp → Options and paste a " +
        "token made with `xlerp token create NAME --scope read`.");
    }
    if (!response.ok) {
      let detail = response.statusText;
      try {
        detail = (await response.json()).detail || detail;
      } catch (error) {
        // not JSON: keep the status text
      }
      throw new XlerpError(`The xlerp server answered ${response.status}: ${detail}`);
    }
    return response.json();
  }

  async function describe(name) {
    const described = await request("/xlwings/commands", { method: "GET" });
    const command = described.commands.find((c) => c.name === name);
    if (!command) {
      throw new XlerpError(`The server has no command "${name}": update the add-in's manifest.`);
    }
    return { command, fold: described.fold };
  }

  // Every sheet by name and Excel Table names; cells only for the sheets the command
  // reads, from A1 so that row i of the grid is Excel row i + 1.
  async function readBook(context, command, pattern) {
    const wanted = new Set(command.tables.flatMap((table) => table.sheets));
    const worksheets = context.workbook.worksheets;
    worksheets.load("items/name");
    await context.sync();
    const sheets = [];
    const used = [];
    for (const sheet of worksheets.items) {
      sheet.tables.load("items/name");
      const entry = { name: sheet.name, values: [], tables: [] };
      sheets.push(entry);
      if (wanted.has(fold(sheet.name, pattern))) {
        const range = sheet.getUsedRangeOrNullObject(true);
        range.load("isNullObject,rowIndex,columnIndex,rowCount,columnCount");
        used.push({ sheet, entry, range });
      }
    }
    await context.sync();
    worksheets.items.forEach((sheet, index) => {
      sheets[index].tables = sheet.tables.items.map((table) => table.name);
    });
    for (const { sheet, entry, range } of used) {
      if (!range.isNullObject) {
        entry.values = await readCells(context, sheet, range.rowIndex + range.rowCount,
          range.columnIndex + range.columnCount);
      }
    }
    return sheets;
  }

  async function readCells(context, sheet, rows, columns) {
    const step = Math.max(1, Math.floor(CELLS_PER_READ / columns));
    const values = [];
    for (let start = 0; start < rows; start += step) {
      const range = sheet.getRangeByIndexes(start, 0, Math.min(step, rows - start), columns);
      range.load("values");
      await context.sync();
      values.push(...range.values);
    }
    return values;
  }

  function options() {
    const saved = settings();
    const chosen = {};
    for (const key of ["date", "bucket", "lang"]) {
      if (saved[key]) {
        chosen[key] = saved[key];
      }
    }
    return chosen;
  }

  async function runCommand(name, event, extra = {}) {
    const started = new Date().toISOString();
    try {
      const { command, fold: pattern } = await describe(name);
      const answer = await root.Excel.run(async (context) => {
        const sheets = await readBook(context, command, pattern);
        const token = settings().token || "";
        const result = await request(`/xlwings/${encodeURIComponent(name)}`, {
          method: "POST",
          headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
          body: JSON.stringify({
            client: "xlerp Office.js", version: "1",
            book: { name: root.Office.context.document.url || "" },
            sheets, args: [{ ...options(), ...extra }],
          }),
        });
        await applyActions(context, result.actions);
        return result;
      });
      remember({ time: started, command: name, ok: answer.ok, lines: answer.messages });
    } catch (error) {
      const text = error instanceof XlerpError ? error.message
        : `xlerp could not finish "${name}": ${error.message || error}`;
      remember({ time: started, command: name, ok: false, lines: [text] });
      showMessage(name, text);
    } finally {
      event.completed();
    }
  }

  // -- replaying the server's actions ---------------------------------------------------

  function rangeOf(sheets, action) {
    return sheets[action.sheet_position].getRangeByIndexes(
      action.start_row, action.start_column, action.row_count, action.column_count);
  }

  function filled(action, value) {
    const row = new Array(action.column_count).fill(value);
    return Array.from({ length: action.row_count }, () => row.slice());
  }

  // Excel column widths are set in points; the server sends characters of the default
  // font (7 px each plus 5 px padding, at 0.75 pt per px).
  function points(characters) {
    return Math.round((characters * 7 + 5) * 0.75 * 100) / 100;
  }

  const CHART_TYPES = { column: "ColumnClustered", bar: "BarClustered" };

  const HANDLERS = {
    setValues(sheets, action) {
      rangeOf(sheets, action).values = action.values;
    },
    async addSheet(sheets, action, context) {
      const sheet = context.workbook.worksheets.add(action.args[1]);
      sheet.position = action.args[0];
      sheets.splice(action.args[0], 0, sheet);
    },
    async sheetClear(sheets, action, context) {
      // Also what a cleared range keeps: Excel Tables, charts, rules, frozen panes.
      const sheet = sheets[action.sheet_position];
      sheet.tables.load("items");
      sheet.charts.load("items");
      await context.sync();
      sheet.tables.items.forEach((table) => table.delete());
      sheet.charts.items.forEach((chart) => chart.delete());
      sheet.getRange().conditionalFormats.clearAll();
      sheet.getRange().clear();
      sheet.freezePanes.unfreeze();
    },
    setNumberFormat(sheets, action) {
      rangeOf(sheets, action).numberFormat = filled(action, action.args[0]);
    },
    setRangeColor(sheets, action) {
      rangeOf(sheets, action).format.fill.color = action.args[0];
    },
    setFontProperty(sheets, action) {
      rangeOf(sheets, action).format.font[action.args[0]] = action.args[1];
    },
    setHorizontalAlignment(sheets, action) {
      rangeOf(sheets, action).format.horizontalAlignment = action.args[0];
    },
    setVerticalAlignment(sheets, action) {
      rangeOf(sheets, action).format.verticalAlignment = action.args[0];
    },
    setWrapText(sheets, action) {
      rangeOf(sheets, action).format.wrapText = action.args[0];
    },
    setColumnWidth(sheets, action) {
      rangeOf(sheets, action).format.columnWidth = points(action.args[0]);
    },
    freezePaneAtRange(sheets, action) {
      const panes = sheets[action.sheet_position].freezePanes;
      const rows = /^(\d+):(\d+)$/.exec(action.args[0]);
      if (rows) {
        panes.freezeRows(Number(rows[2]));
      } else {
        panes.freezeAt(action.args[0]);
      }
    },
    addTable(sheets, action) {
      const [address, hasHeaders, style, name] = action.args;
      const table = sheets[action.sheet_position].tables.add(address, hasHeaders);
      table.style = style;
      table.name = name;
    },
    addConditionalFormat(sheets, action) {
      const rule = rangeOf(sheets, action).conditionalFormats.add("Custom");
      rule.custom.rule.formula = "=" + action.args[0];
      rule.custom.format.fill.color = action.args[1];
    },
    addChart(sheets, action) {
      const [kind, title, categories, values, anchor] = action.args;
      const sheet = sheets[action.sheet_position];
      const chart = sheet.charts.add(CHART_TYPES[kind], sheet.getRange(values), "Columns");
      chart.title.text = title;
      chart.legend.visible = false;
      chart.series.getItemAt(0).setXAxisValues(sheet.getRange(categories));
      if (kind === "bar") {
        chart.axes.categoryAxis.reversePlotOrder = true; // bars top-down in table order
      }
      chart.setPosition(anchor);
    },
    activateSheet(sheets, action) {
      sheets[action.args[0]].activate();
    },
  };

  async function applyActions(context, actions) {
    const worksheets = context.workbook.worksheets;
    worksheets.load("items/name");
    await context.sync();
    const sheets = worksheets.items.slice();
    const alerts = [];
    for (const action of actions) {
      if (action.func === "alert") {
        alerts.push(action);
        continue;
      }
      const handler = HANDLERS[action.func];
      if (!handler) {
        throw new XlerpError(`The server sent an action this add-in does not know: ` +
          `${action.func} — update the add-in.`);
      }
      await handler(sheets, action, context);
      if (action.func === "setValues" || action.func === "setNumberFormat") {
        await context.sync(); // one chunk of cells per request
      }
    }
    await context.sync();
    for (const action of alerts) {
      showMessage(action.args[1], action.args[0]);
    }
  }

  // A message box: Office's dialog with dialog.html, which shows the text it is given.
  function showMessage(title, text) {
    const query = new URLSearchParams({ title: String(title), text: String(text).slice(0, 1800) });
    const url = `${origin()}/addin/dialog.html?${query}`;
    root.Office.context.ui.displayDialogAsync(url, { height: 40, width: 45 }, (result) => {
      if (result.status === "succeeded") {
        result.value.addEventHandler(root.Office.EventType.DialogMessageReceived,
          () => result.value.close());
      }
    });
  }

  for (const name of FUNCTIONS) {
    root.Office.actions.associate(name, (event) => runCommand(name, event));
  }
  for (const report of REPORTS) {
    root.Office.actions.associate(`report_${report.replace(/-/g, "_")}`,
      (event) => runCommand("report", event, { name: report }));
  }

  root.xlerp = { FUNCTIONS, REPORTS, applyActions, fold, points, readBook, runCommand };
})(globalThis);
