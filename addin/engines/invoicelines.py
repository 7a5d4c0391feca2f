"""Invoice lines ready to match: identified, directed, mapped to partner and item, voided
ones dropped and red-letter lines netted against the blue lines they reverse.

Partners: the taxpayer id (纳税人识别号) or name of the seller (purchase) or buyer (sales)
through code_mappings (entity supplier/customer, any platform), else the tax id or name
on the Suppliers/Customers sheet. Items: the goods name (without the *category* prefix
the e-invoice prints) with its spec through code_mappings (entity item), else an item
with that name and spec, else that code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from addin.engines.invoicealloc import allocate, cents, group_codes, spread, units
from addin.issues import Issue, Message, register
from addin.schema import ROW, TABLES, fold

_CATEGORY = r"^\s*[*＊][^*＊]*[*＊]"  # 数电票 prints goods as *金属制品*螺栓
_BLUE_NO = r"蓝字[^0-9]{0,24}(\d{8,20})"  # 被红冲蓝字数电发票号码：2432…


@dataclass
class InvoiceLines:
    """Net invoice lines (one per line, red-letter amounts already taken off) and what
    preparing them found."""

    lines: pd.DataFrame
    issues: list[Issue]
    voided: int
    reds: pd.DataFrame  # red-letter lines nothing could absorb (negative remainders)
    original: pd.DataFrame  # every line as invoiced (voided ones dropped), for tax checks


def _sheet(lang: str) -> str:
    return TABLES["invoice_lines"].sheet_name(lang)


def _entity_rows(mappings: pd.DataFrame | None, entity: str) -> pd.DataFrame:
    if mappings is None or mappings.empty:
        return pd.DataFrame(columns=["external_code", "canonical_code"])
    names = {fold(entity)} | {fold(n) for n in TABLES[f"{entity}s"].sheet_names()}
    return mappings[mappings["entity"].map(fold).isin(names)]


def _lookup(pairs: list[tuple[pd.Series, pd.Series]]) -> dict[str, str]:
    """Folded key -> code; earlier sources win, blank keys never match."""
    table: dict[str, str] = {}
    for keys, codes in reversed(pairs):
        folded = keys.astype(str).map(fold)
        table.update({k: c for k, c in zip(folded, codes.astype(str), strict=True) if k})
    return table


def _partner_map(kind: str, partners: pd.DataFrame | None,
                 mappings: pd.DataFrame | None) -> dict[str, str]:
    rows = _entity_rows(mappings, kind)
    pairs = [(rows["external_code"], rows["canonical_code"])]
    if partners is not None and not partners.empty:
        code = partners[f"{kind}_code"]
        pairs += [(partners["tax_id"], code), (partners[f"{kind}_name"], code), (code, code)]
    return _lookup(pairs)


def _item_map(items: pd.DataFrame | None, mappings: pd.DataFrame | None) -> dict[str, str]:
    rows = _entity_rows(mappings, "item")
    pairs = [(rows["external_code"], rows["canonical_code"])]
    if items is not None and not items.empty:
        spec = items["spec"].fillna("").astype(str) if "spec" in items else ""
        pairs += [(items["item_name"].astype(str) + spec, items["item_code"]),
                  (items["item_code"], items["item_code"])]
        unique = items.drop_duplicates("item_name", keep=False)
        pairs.append((unique["item_name"], unique["item_code"]))
    return _lookup(pairs)


def _folded(values: pd.Series) -> pd.Series:
    """fold() of each value, computed once per distinct value (names repeat a lot)."""
    codes, uniques = pd.factorize(values.astype(str).to_numpy(dtype=object))
    folded = np.array([fold(u) for u in uniques] or [""], dtype=object)
    return pd.Series(folded[np.maximum(codes, 0)], index=values.index, dtype=object)


def _map_folded(values: pd.Series, table: Mapping[str, str]) -> pd.Series:
    return _folded(values).map(table).fillna("")


def _invoice_id(frame: pd.DataFrame) -> pd.Series:
    legacy = (frame["invoice_code"].astype(str) + " " + frame["invoice_number"].astype(str))
    legacy = legacy.str.strip()
    number = frame["einvoice_no"].astype(str).str.strip()
    return number.where(number != "", legacy)


def _direction(frame: pd.DataFrame, own_tax_id: str, suppliers: Mapping[str, str],
               customers: Mapping[str, str]) -> pd.Series:
    direction = frame["direction"].astype(str)
    seller = _folded(frame["seller_tax_id"])
    buyer = _folded(frame["buyer_tax_id"])
    own = fold(own_tax_id)
    guess = np.select(
        [(buyer == own) & (own != ""), (seller == own) & (own != ""),
         seller.isin(suppliers.keys()) & (seller != ""),
         buyer.isin(customers.keys()) & (buyer != "")],
        ["in", "out", "in", "out"], default="")
    return direction.where(direction != "", pd.Series(guess, index=frame.index))


def prepare(invoices: pd.DataFrame, tables: Mapping[str, pd.DataFrame | None],
            own_tax_id: str = "", lang: str = "en") -> InvoiceLines:
    """The invoice lines of `invoices` ready for `allocate`: columns id, line_no,
    issue_date, side, party_code, item_code, goods, qty_u (int), amount_c, tax_c (int
    cents), rate, red, plus `_row`."""
    sheet = _sheet(lang)
    frame = invoices.reset_index(drop=True).copy()
    if ROW not in frame:
        frame[ROW] = np.arange(len(frame)) + 2
    frame["id"] = _invoice_id(frame)
    issues = [Issue("invoice_no_number", "warning", sheet, int(r))
              for r in frame.loc[frame["id"] == "", ROW]]
    frame = frame[frame["id"] != ""]
    voided_ids = frame.loc[frame["status"].eq("voided"), "id"]
    frame = frame[~frame["id"].isin(voided_ids)].reset_index(drop=True)
    maps = {kind: _partner_map(kind, tables.get(f"{kind}s"), tables.get("code_mappings"))
            for kind in ("supplier", "customer")}
    frame["direction"] = _direction(frame, own_tax_id, maps["supplier"], maps["customer"])
    issues += [Issue("invoice_direction_unknown", "warning", sheet, int(r), value=v)
               for r, v in frame.loc[frame["direction"] == "", [ROW, "id"]].itertuples(
                   index=False)]
    frame = frame[frame["direction"] != ""].reset_index(drop=True)
    frame["side"] = np.where(frame["direction"].eq("in"), "purchase", "sales")
    frame["party_code"] = _party(frame, maps)
    goods, names = pd.factorize(frame["goods_name"].astype(str).to_numpy(dtype=object))
    plain = pd.Series(names, dtype=object).str.replace(_CATEGORY, "", regex=True)
    frame["goods"] = plain.to_numpy(dtype=object)[np.maximum(goods, 0)] if len(names) else ""
    items = _item_map(tables.get("items"), tables.get("code_mappings"))
    with_spec = _map_folded(frame["goods"] + frame["spec"].astype(str), items)
    frame["item_code"] = with_spec.where(with_spec != "", _map_folded(frame["goods"], items))
    issues += _unknown(frame, sheet)
    frame = _amounts(frame)
    net, reds, red_issues = _net_reds(frame, sheet)
    return InvoiceLines(net, issues + red_issues, int(voided_ids.nunique()), reds, frame)


def _party(frame: pd.DataFrame, maps: Mapping[str, Mapping[str, str]]) -> pd.Series:
    purchase = frame["direction"].eq("in")
    tax = frame["seller_tax_id"].where(purchase, frame["buyer_tax_id"]).astype(str)
    name = frame["seller_name"].where(purchase, frame["buyer_name"]).astype(str)
    out = pd.Series("", index=frame.index, dtype=object)
    for side, kind in ((purchase, "supplier"), (~purchase, "customer")):
        by_tax = _map_folded(tax[side], maps[kind])
        by_name = _map_folded(name[side], maps[kind])
        out[side] = by_tax.where(by_tax != "", by_name)
    return out


def _unknown(frame: pd.DataFrame, sheet: str) -> list[Issue]:
    issues = []
    for r, side, tax, seller, buyer in frame.loc[frame["party_code"] == "", [
            ROW, "direction", "seller_tax_id", "seller_name", "buyer_name"]].itertuples(
                index=False):
        name = seller if side == "in" else buyer
        issues.append(Issue("invoice_party_unknown", "warning", sheet, int(r), value=name,
                            params={"tax_id": tax if side == "in" else ""}))
    for r, goods in frame.loc[frame["item_code"] == "", [ROW, "goods"]].itertuples(
            index=False):
        issues.append(Issue("invoice_item_unknown", "warning", sheet, int(r), value=goods))
    return issues


def _amounts(frame: pd.DataFrame) -> pd.DataFrame:
    amount = frame["amount"].astype("float64").fillna(0.0)
    frame["red"] = ~frame["positive"].astype(bool) | (amount < 0)
    frame["qty_u"] = np.abs(units(frame["qty"].fillna(0.0)))
    frame["amount_c"] = np.abs(cents(amount))
    frame["tax_c"] = np.abs(cents(frame["tax"].fillna(0.0)))
    rate = frame["tax_rate"].astype("float64")
    frame["rate"] = rate.where(rate <= 1, rate / 100)  # "13" meant 13 %
    blue = frame["original_invoice"].astype(str).str.strip()
    told = frame["remarks"].astype(str).str.extract(_BLUE_NO, expand=False).fillna("")
    frame["reverses"] = blue.where(blue != "", told).where(frame["red"], "")
    frame["item_key"] = frame["item_code"].where(frame["item_code"] != "",
                                                 _folded(frame["goods"]))
    return frame


def _net_reds(frame: pd.DataFrame, sheet: str
              ) -> tuple[pd.DataFrame, pd.DataFrame, list[Issue]]:
    """Take each red line's qty, amount and tax off the blue lines it reverses: first
    those of the invoice it names, then the partner's latest lines of the same item."""
    order = ["issue_date", "id", "line_no"]
    blue = frame[~frame["red"]].sort_values(order, kind="stable")[::-1].reset_index(drop=True)
    red = frame[frame["red"] & (frame["qty_u"] > 0)].reset_index(drop=True)
    amount_only = frame[frame["red"] & (frame["qty_u"] == 0)]
    left = {name: red[name].to_numpy().copy() for name in ("qty_u", "amount_c", "tax_c")}
    base = ["side", "party_code", "item_key"]
    for named in (True, False):
        if red.empty or blue.empty:
            break
        blue_keys = blue[base].assign(_k=blue["id"] if named else "")
        red_keys = red[base].assign(_k=red["reverses"] if named else "")
        codes = group_codes(blue_keys, red_keys, by=[*base, "_k"])
        segments = allocate(codes[0], blue["qty_u"].to_numpy(), codes[1], left["qty_u"])
        both = (segments.left >= 0) & (segments.right >= 0)
        for name in ("amount_c", "tax_c"):
            share = spread(left[name], left["qty_u"], segments.right, segments.qty)
            off = np.zeros(len(blue), dtype=np.int64)
            np.add.at(off, segments.left[both], share[both])
            used = np.zeros(len(red), dtype=np.int64)
            np.add.at(used, segments.right[both], share[both])
            blue[name] = blue[name].to_numpy() - off
            left[name] = left[name] - used
        qty_off = np.zeros(len(blue), dtype=np.int64)
        np.add.at(qty_off, segments.left[both], segments.qty[both])
        used_qty = np.zeros(len(red), dtype=np.int64)
        np.add.at(used_qty, segments.right[both], segments.qty[both])
        blue["qty_u"] = blue["qty_u"].to_numpy() - qty_off
        left["qty_u"] = left["qty_u"] - used_qty
    rest = red.assign(**left)
    rest = pd.concat([rest[rest["qty_u"] > 0], amount_only], ignore_index=True)
    issues = [Issue("invoice_red_unmatched", "warning", sheet, int(r), value=i,
                    params={"reverses": rev or "—"})
              for r, i, rev in rest[[ROW, "id", "reverses"]].itertuples(index=False)]
    blue = blue[::-1].reset_index(drop=True)  # back to issue order
    return blue, rest.reset_index(drop=True), issues


register({
    "invoice_no_number": Message(
        "发票行没有数电票号码，也没有发票代码和发票号码，已跳过",
        "The invoice line has no e-invoice number and no invoice code and number; skipped",
        "填写「数电票号码」，或「发票代码」与「发票号码」",
        'Enter the "E-invoice no", or the "Invoice code" and "Invoice number"'),
    "invoice_direction_unknown": Message(
        "无法判断发票 {value} 是进项还是销项，已跳过",
        "Cannot tell whether invoice {value} is a purchase or a sales invoice; skipped",
        "填写「进销项」列，或设置本公司税号（--tax-id），或在供应商/客户中填写纳税人识别号",
        'Fill the "Direction" column, give the company\'s tax id (--tax-id), or enter '
        "the partners' tax ids on the Suppliers/Customers sheets"),
    "invoice_party_unknown": Message(
        "发票上的「{value}」（税号 {tax_id}）不对应任何供应商或客户",
        '"{value}" (tax id {tax_id}) on the invoice is no known supplier or customer',
        "在供应商/客户中填写其纳税人识别号，或在「编码映射」中加入 税号 → 编码",
        "Enter its tax id on the Suppliers/Customers sheet, or map tax id → code in the "
        "code mappings"),
    "invoice_item_unknown": Message(
        "货物「{value}」不对应任何物料", 'The goods "{value}" match no item',
        "在「编码映射」中加入 物料（item）的对照：货物名称+规格 → 物料编码",
        "Add an item row to the code mappings: goods name + spec → item code"),
    "invoice_red_unmatched": Message(
        "红字发票 {value} 找不到可冲销的蓝字发票（{reverses}）",
        "Red-letter invoice {value} finds no earlier invoice to reverse ({reverses})",
        "在「蓝字发票号码」列填写被冲销的发票，或一并导入该蓝字发票",
        'Enter the reversed invoice in "Reverses invoice", or import that invoice too'),
})
