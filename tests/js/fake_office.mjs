// A small fake of the Office/Excel JavaScript API subset the ribbon uses, and of fetch.
//
// Like Excel: proxies must be load()ed and synced before their properties are read
// (reading earlier throws PropertyNotLoaded); one sync may carry at most SYNC_CELLS cells
// (Excel on the web refuses requests over 5 MB); addresses are A1 style; a table may not
// overlap another; Range.clear() keeps the sheet's tables and charts; values are parsed as
// Excel parses typing ("'=x" is the text "=x", "0012" the number 12 unless formatted "@").
import fs from "node:fs";
import vm from "node:vm";

export const SYNC_CELLS = 60000;

function columnNumber(letters) {
  return [...letters].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0);
}

function parseAddress(address) {
  const parts = address.replace(/\$/g, "").split(":");
  const cell = (text) => {
    const m = /^([A-Z]+)(\d+)$/.exec(text);
    return [Number(m[2]) - 1, columnNumber(m[1]) - 1];
  };
  const [r1, c1] = cell(parts[0]);
  const [r2, c2] = parts[1] ? cell(parts[1]) : [r1, c1];
  return { row: r1, column: c1, rows: r2 - r1 + 1, columns: c2 - c1 + 1 };
}

class Loadable {
  constructor(context) {
    this._context = context;
    this._loaded = false;
  }
  load() {
    this._context._pending.push(this);
    return this;
  }
  _check() {
    if (!this._loaded) {
      throw new Error("PropertyNotLoaded: call load() and context.sync() first");
    }
  }
}

class Range extends Loadable {
  constructor(context, sheet, row, column, rows, columns) {
    super(context);
    Object.assign(this, { sheet, row, column, rows, columns });
    const range = this;
    this.format = {
      fill: {
        set color(value) { range._each((key) => sheet.fills.set(key, value)); },
      },
      font: new Proxy({}, {
        set(target, name, value) {
          range._each((key) => sheet.fonts.set(key, { ...sheet.fonts.get(key), [name]: value }));
          return true;
        },
      }),
      set horizontalAlignment(value) { range._style("horizontal", value); },
      set verticalAlignment(value) { range._style("vertical", value); },
      set wrapText(value) { range._style("wrap", value); },
      set columnWidth(value) {
        for (let c = column; c < column + columns; c++) sheet.widths.set(c, value);
      },
    };
    this.conditionalFormats = {
      add(type) {
        const rule = { type, range: range.address, custom: { rule: {}, format: { fill: {} } } };
        sheet.rules.push(rule);
        return rule;
      },
      clearAll() { sheet.rules.length = 0; },
    };
  }
  get address() {
    const letter = (c) => {
      let s = "";
      for (let n = c + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
      return s;
    };
    return `${letter(this.column)}${this.row + 1}:${letter(this.column + this.columns - 1)}${this.row + this.rows}`;
  }
  _each(fn) {
    for (let r = this.row; r < this.row + this.rows; r++) {
      for (let c = this.column; c < this.column + this.columns; c++) fn(`${r},${c}`);
    }
  }
  _style(name, value) {
    this._each((key) => this.sheet.styles.set(key, { ...this.sheet.styles.get(key), [name]: value }));
  }
  get values() {
    this._check();
    return this._snapshot;
  }
  set values(grid) {
    if (grid.length !== this.rows || grid.some((row) => row.length !== this.columns)) {
      throw new Error("InvalidArgument: the values do not match the range's size");
    }
    this._context._cells += this.rows * this.columns;
    grid.forEach((row, r) => row.forEach((value, c) => {
      const key = `${this.row + r},${this.column + c}`;
      this.sheet.cells.delete(key);
      if (value === "") return;
      // Excel parses text as if typed: a leading apostrophe means "text", and unless the
      // cell is formatted as text "@", number-like text becomes a number.
      if (typeof value === "string" && value.startsWith("'")) {
        this.sheet.cells.set(key, value.slice(1));
      } else if (typeof value === "string" && this.sheet.formats.get(key) !== "@" &&
                 /^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$/.test(value)) {
        this.sheet.cells.set(key, Number(value));
      } else {
        this.sheet.cells.set(key, value);
      }
    }));
  }
  set numberFormat(grid) {
    if (grid.length !== this.rows || grid.some((row) => row.length !== this.columns)) {
      throw new Error("InvalidArgument: the number formats do not match the range's size");
    }
    this._context._cells += this.rows * this.columns;
    grid.forEach((row, r) => row.forEach((value, c) => {
      this.sheet.formats.set(`${this.row + r},${this.column + c}`, value);
    }));
  }
  clear() {
    for (const store of [this.sheet.cells, this.sheet.formats, this.sheet.fills,
      this.sheet.fonts, this.sheet.styles]) store.clear();
  }
  _materialise() {
    this._context._cells += this.rows * this.columns;
    this._snapshot = Array.from({ length: this.rows }, (_, r) =>
      Array.from({ length: this.columns }, (_, c) => {
        const value = this.sheet.cells.get(`${this.row + r},${this.column + c}`);
        return value === undefined ? "" : value;
      }));
  }
}

class UsedRange extends Loadable {
  constructor(context, sheet) {
    super(context);
    this.sheet = sheet;
  }
  _materialise() {
    const keys = [...this.sheet.cells.keys()].map((k) => k.split(",").map(Number));
    this._isNull = keys.length === 0;
    if (!this._isNull) {
      const rows = keys.map(([r]) => r);
      const cols = keys.map(([, c]) => c);
      this._box = { rowIndex: Math.min(...rows), columnIndex: Math.min(...cols),
        rowCount: Math.max(...rows) - Math.min(...rows) + 1,
        columnCount: Math.max(...cols) - Math.min(...cols) + 1 };
    }
  }
  get isNullObject() { this._check(); return this._isNull; }
  get rowIndex() { this._check(); return this._box.rowIndex; }
  get columnIndex() { this._check(); return this._box.columnIndex; }
  get rowCount() { this._check(); return this._box.rowCount; }
  get columnCount() { this._check(); return this._box.columnCount; }
}

class Collection extends Loadable {
  constructor(context, list) {
    super(context);
    this._list = list;
  }
  get items() {
    this._check();
    return this._list.slice();
  }
}

class Worksheet {
  constructor(book, context, name) {
    Object.assign(this, { book, name });
    this._context = context;
    this.cells = new Map();
    this.formats = new Map();
    this.fills = new Map();
    this.fonts = new Map();
    this.styles = new Map();
    this.widths = new Map();
    this.rules = [];
    this.tableList = [];
    this.chartList = [];
    this.frozen = null;
    const sheet = this;
    this.freezePanes = {
      freezeRows(count) { sheet.frozen = { rows: count }; },
      freezeAt(address) { sheet.frozen = { at: address }; },
      unfreeze() { sheet.frozen = null; },
    };
  }
  get tables() {
    if (this._tables) return this._tables;
    const sheet = this;
    const collection = new Collection(this._context, this.tableList);
    this._tables = collection;
    collection.add = (address, hasHeaders) => {
      const box = parseAddress(address);
      for (const other of sheet.tableList) {
        const o = parseAddress(other.address);
        const apart = box.row + box.rows <= o.row || o.row + o.rows <= box.row ||
          box.column + box.columns <= o.column || o.column + o.columns <= box.column;
        if (!apart) throw new Error("InvalidOperation: a table cannot overlap another table");
      }
      const table = { address, hasHeaders, style: null, name: `Table${sheet.tableList.length + 1}`,
        delete() { sheet.tableList.splice(sheet.tableList.indexOf(table), 1); } };
      sheet.tableList.push(table);
      return table;
    };
    return collection;
  }
  get charts() {
    if (this._charts) return this._charts;
    const sheet = this;
    const collection = new Collection(this._context, this.chartList);
    this._charts = collection;
    collection.add = (type, source, seriesBy) => {
      const chart = { type, source: source.address, seriesBy, title: {}, legend: {},
        axes: { categoryAxis: { reversePlotOrder: false } },
        categories: null, position: null,
        series: { getItemAt: () => ({ setXAxisValues(range) { chart.categories = range.address; } }) },
        setPosition(anchor) { chart.position = anchor; },
        delete() { sheet.chartList.splice(sheet.chartList.indexOf(chart), 1); } };
      sheet.chartList.push(chart);
      return chart;
    };
    return collection;
  }
  set position(index) {
    const list = this.book.sheets;
    list.splice(list.indexOf(this), 1);
    list.splice(index, 0, this);
  }
  getUsedRangeOrNullObject() {
    return new UsedRange(this._context, this);
  }
  getRangeByIndexes(row, column, rows, columns) {
    return new Range(this._context, this, row, column, rows, columns);
  }
  getRange(address) {
    if (address === undefined) return new Range(this._context, this, 0, 0, 1048576, 16384);
    const box = parseAddress(address);
    return new Range(this._context, this, box.row, box.column, box.rows, box.columns);
  }
  activate() {
    this.book.active = this;
  }
  grid() {
    const keys = [...this.cells.keys()].map((k) => k.split(",").map(Number));
    const rows = Math.max(0, ...keys.map(([r]) => r + 1));
    const cols = Math.max(0, ...keys.map(([, c]) => c + 1));
    return Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => {
      const value = this.cells.get(`${r},${c}`);
      return value === undefined ? "" : value;
    }));
  }
}

export class Workbook {
  constructor(sheets) {
    this.sheets = [];
    this.active = null;
    this.syncs = 0;
    this.context = this._newContext();
    for (const [name, rows] of Object.entries(sheets)) {
      const sheet = new Worksheet(this, this.context, name);
      rows.forEach((row, r) => row.forEach((value, c) => {
        if (value !== "" && value !== null) sheet.cells.set(`${r},${c}`, value);
      }));
      this.sheets.push(sheet);
    }
  }
  _newContext() {
    const book = this;
    const context = {
      _pending: [],
      _cells: 0,
      async sync() {
        book.syncs += 1;
        for (const proxy of context._pending) {
          if (proxy._materialise) proxy._materialise();
          proxy._loaded = true;
        }
        context._pending = [];
        const cells = context._cells;
        context._cells = 0;
        if (cells > SYNC_CELLS) {
          throw new Error(`RequestPayloadSizeLimitExceeded: ${cells} cells in one sync`);
        }
      },
    };
    context.workbook = {
      get worksheets() {
        const collection = new Collection(context, book.sheets);
        collection.add = (name) => {
          if (book.sheets.some((s) => s.name.toLowerCase() === name.toLowerCase())) {
            throw new Error(`ItemAlreadyExists: ${name}`);
          }
          const sheet = new Worksheet(book, context, name);
          book.sheets.push(sheet);
          return sheet;
        };
        return collection;
      },
    };
    return context;
  }
  sheet(name) {
    return this.sheets.find((s) => s.name === name);
  }
}

export class Storage {
  constructor(entries = {}) {
    this.map = new Map(Object.entries(entries));
  }
  getItem(key) { return this.map.has(key) ? this.map.get(key) : null; }
  setItem(key, value) { this.map.set(key, String(value)); }
}

export function response(status, body) {
  return { ok: status >= 200 && status < 300, status, statusText: `status ${status}`,
    async json() { if (typeof body === "string") throw new SyntaxError("not JSON"); return body; } };
}

// Load a classic script into a fresh context whose globals are the given fakes.
export function loadScript(path, globals) {
  const context = vm.createContext({ URLSearchParams, console, ...globals });
  vm.runInContext(fs.readFileSync(path, "utf8"), context, { filename: path });
  return context;
}

// Office + Excel around one workbook, and a fetch that answers from `routes`.
export function office(book, routes, settings = {}) {
  const associated = new Map();
  const dialogs = [];
  const requests = [];
  const Office = {
    actions: { associate(name, fn) { associated.set(name, fn); } },
    context: {
      document: { url: "C:\\books\\plan.xlsx" },
      ui: {
        displayDialogAsync(url, options, callback) {
          dialogs.push(new URL(url));
          callback({ status: "succeeded", value: { addEventHandler() {}, close() {} } });
        },
      },
    },
    EventType: { DialogMessageReceived: "dialogMessageReceived" },
    onReady(callback) { callback(); },
  };
  const Excel = { run: async (callback) => callback(book.context) };
  const fetch = async (url, init = {}) => {
    const method = init.method || "GET";
    requests.push({ url, method, headers: init.headers || {}, body: init.body && JSON.parse(init.body) });
    const route = routes[`${method} ${new URL(url).pathname}`];
    if (!route) return response(404, { detail: "no route" });
    return route({ url, init, body: init.body && JSON.parse(init.body) });
  };
  const localStorage = new Storage({ "xlerp.settings": JSON.stringify(settings) });
  const globals = { Office, Excel, fetch, localStorage, location: { origin: "https://xlerp.test" } };
  return { globals, associated, dialogs, requests, localStorage };
}

export function event() {
  const e = { completions: 0, completed() { e.completions += 1; } };
  return e;
}
