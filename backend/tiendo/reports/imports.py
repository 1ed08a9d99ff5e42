"""Spreadsheet import (.csv or .xlsx: one row per unit, a `unit` column and one column per
metric code) and the template to fill in.

The template cannot invent reports: its value cells are empty, and a row left empty is skipped
(counted as `skipped`), never created. Its first row holds the metrics' Vietnamese names for a
person, its second the column codes the import reads; a plain file whose first row holds the
codes (what integrations have always sent) is read as before. Last week's figures, shown for
reference, sit in read-only columns coded `last_week:…` (grey and locked in the .xlsx), which
the import ignores even when someone has typed in them."""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlmodel import Session, select

from tiendo.auth.principal import Action, Principal
from tiendo.campaigns.calendar import Calendar
from tiendo.campaigns.models import Campaign
from tiendo.config import get_settings
from tiendo.core.periods import Week
from tiendo.errors import DomainError, Invalid, PayloadTooLarge
from tiendo.exports.cells import csv_row, set_xlsx
from tiendo.figures.units import expected_filter, unit_figures
from tiendo.reports.bulk import Item
from tiendo.reports.rules import CampaignRules
from tiendo.reports.schemas import MAX_BULK_ITEMS, ImportConflict
from tiendo.units.models import Unit
from tiendo.units.service import resolve_under

INFO_COLUMNS = ("unit", "unit_name", "note")
READ_ONLY = "last_week:"  # code prefix of the template's reference columns: never imported
_GROUPED = re.compile(r"^\d{1,3}([.,\s]\d{3})+$")  # 2.850 / 2,850 / 2 850


@dataclass
class Sheet:
    header: list[str]
    rows: list[tuple[int, list[Any]]]  # (row number in the file, cells)


# Markers of a DTD in an XML part, in the encodings an XML file may use: none belongs in a
# workbook, and entities are how "billion laughs" bombs expand.
_DTD_MARKERS = tuple(m.encode(enc) for m in ("<!DOCTYPE", "<!ENTITY")
                     for enc in ("ascii", "utf-16-le", "utf-16-be"))
_CHUNK = 1 << 16


class _Unreadable(Exception):
    pass


def _check_zip(data: bytes) -> None:
    """Before openpyxl sees it: the sizes the zip declares, then the sizes it really unpacks
    to (counted while streaming, so a forged directory does not help), and no DTD anywhere."""
    limit = get_settings().import_max_unpacked_bytes
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        members = zf.infolist()
        if len(members) > 1000 or sum(m.file_size for m in members) > limit:
            raise PayloadTooLarge(_too_large(limit), field="file", code="file_too_large_unpacked")
        total = 0
        for member in members:
            with zf.open(member) as part:
                tail = b""
                while chunk := part.read(_CHUNK):
                    total += len(chunk)
                    if total > limit:
                        raise PayloadTooLarge(_too_large(limit), field="file",
                                              code="file_too_large_unpacked")
                    window = tail + chunk
                    if any(marker in window for marker in _DTD_MARKERS):
                        raise Invalid("Tệp Excel chứa khai báo DTD/ENTITY, không được chấp "
                                      "nhận.", field="file", code="xml_entities_refused")
                    tail = window[-32:]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError,
            ValueError, OSError, zlib.error) as exc:
        raise Invalid("Không đọc được tệp Excel (.xlsx).", field="file",
                      code="unreadable_file") from exc


def _too_large(limit: int) -> str:
    return f"Tệp Excel khi giải nén vượt quá {limit // (1024 * 1024)} MB."


def _check_cells(rows: list[tuple[int, list[Any]]] | list[list[Any]], header: list[Any]) -> None:
    limit = get_settings().import_max_cell_chars
    for number, cells in [(1, header), *rows]:
        for cell in cells:
            if isinstance(cell, str) and len(cell) > limit:
                raise Invalid(f"Dòng {number}: một ô dài quá {limit} ký tự.", field="file",
                              code="cell_too_long", details=[{"row": number}])


def _read_xlsx(data: bytes) -> Sheet:
    _check_zip(data)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        try:
            # Formulas come as their text (data_only=False) and are refused as counts:
            # neither evaluated here nor taken from the cached result the file claims.
            rows = list(wb.worksheets[0].iter_rows(values_only=True,
                                                   max_row=MAX_BULK_ITEMS + 3))
        finally:
            wb.close()
    except DomainError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever a broken workbook raises, it is bad input
        raise Invalid("Không đọc được tệp Excel (.xlsx).", field="file",
                      code="unreadable_file") from exc
    if not rows:
        return Sheet([], [])
    sheet = Sheet([str(c).strip() if c is not None else "" for c in rows[0]],
                  [(n, list(r)) for n, r in enumerate(rows[1:], start=2)])
    _check_cells(sheet.rows, list(rows[0]))
    return sheet


def _read_csv(data: bytes) -> Sheet:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid("Tệp CSV phải mã hoá UTF-8.", field="file", code="unreadable_file") from exc
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)  # Excel in Vietnamese locales writes ";"
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:  # a field past csv's own limit (128 KB), a stray NUL…
        too_long = "field larger" in str(exc)
        raise Invalid("Một ô dài quá mức cho phép." if too_long else "Không đọc được tệp CSV.",
                      field="file", code="cell_too_long" if too_long else "unreadable_file"
                      ) from exc
    if not rows:
        return Sheet([], [])
    sheet = Sheet([c.strip() for c in rows[0]], [(n, r) for n, r in enumerate(rows[1:], start=2)])
    _check_cells(sheet.rows, rows[0])
    return sheet


def read_sheet(data: bytes, filename: str | None) -> Sheet:
    if data[:4] == b"PK\x03\x04" or (filename or "").lower().endswith(".xlsx"):
        return _read_xlsx(data)
    return _read_csv(data)


def _count(cell: Any) -> int | None | str:
    """A cell as a count; None when blank; the reason when it is not a whole number."""
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None
    if isinstance(cell, bool):
        return "Phải là số nguyên."
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float):
        return int(cell) if cell.is_integer() else "Phải là số nguyên."
    text = str(cell).strip()
    if text.startswith("="):
        return "Ô chứa công thức: chỉ nhận số (hãy dán giá trị)."
    if _GROUPED.match(text):
        text = re.sub(r"[.,\s]", "", text)
    return int(text) if text.isdigit() else "Phải là số nguyên."


def _codes(cells: list[Any]) -> list[str]:
    out = [str(c).strip() if c is not None else "" for c in cells]
    return [h.lower() if h.lower() in INFO_COLUMNS else h for h in out]


def _layout(sheet: Sheet) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """(column codes, data rows): the codes are the first row of a plain file, or the second
    row under the template's Vietnamese headings."""
    header = _codes(sheet.header)
    if "unit" not in header and sheet.rows and "unit" in (second := _codes(sheet.rows[0][1])):
        return second, sheet.rows[1:]
    if "unit" not in header:
        raise Invalid("Tệp cần cột mã 'unit' (mã đơn vị) ở dòng đầu, hoặc ở dòng thứ hai như "
                      "tệp mẫu.", field="file", code="missing_unit_column")
    return header, sheet.rows


def sheet_items(sheet: Sheet, rules: CampaignRules,
                period: str) -> tuple[list[Item], list[ImportConflict], int]:
    """Rows → (bulk items, rejected rows, skipped rows). A row naming a unit with every value
    cell empty is skipped; a wholly blank line is not counted. An unknown or repeated column
    refuses the whole file."""
    header, rows = _layout(sheet)
    unknown = [h for h in header if h and h not in INFO_COLUMNS and h not in rules.metrics
               and not h.startswith(READ_ONLY)]
    if unknown:
        raise Invalid(f"Cột không phải chỉ số của chiến dịch: {', '.join(unknown[:10])}.",
                      field="file", code="unknown_column", details=[{"columns": unknown}])
    read = [h for h in header if h and not h.startswith(READ_ONLY)]
    if twice := sorted({h for h in read if read.count(h) > 1}):
        raise Invalid(f"Cột lặp lại: {', '.join(twice[:10])}.", field="file",
                      code="duplicate_column", details=[{"columns": twice}])
    if len(rows) > MAX_BULK_ITEMS:
        raise Invalid(f"Tối đa {MAX_BULK_ITEMS} dòng mỗi tệp.", field="file", code="too_many_rows")
    columns = {h: i for i, h in enumerate(header) if h in read}
    items: list[Item] = []
    conflicts: list[ImportConflict] = []
    skipped = 0
    for number, cells in rows:
        row = {h: cells[i] if i < len(cells) else None for h, i in columns.items()}
        unit = str(row.get("unit") or "").strip()
        counts = {h: _count(v) for h, v in row.items() if h in rules.metrics}
        if all(v is None for v in counts.values()):
            skipped += bool(unit)  # a unit left blank: nothing reported, nothing created
            continue
        bad = next(((h, v) for h, v in counts.items() if isinstance(v, str)), None)
        if bad is not None:
            conflicts.append(ImportConflict(index=number, unit=unit[:64] or None,
                                            field=f"values.{bad[0]}", code="not_an_integer",
                                            message=bad[1]))
            continue
        if not unit:
            conflicts.append(ImportConflict(index=number, unit=None, field="unit",
                                            code="validation_error", message="Thiếu mã đơn vị."))
            continue
        note = str(row.get("note") or "").strip()[:2000]
        items.append(Item(number, unit[:64], period,
                          {h: v for h, v in counts.items() if v is not None}, note))
    return items, conflicts, skipped


# --- the template ---------------------------------------------------------------------------
@dataclass
class Column:
    code: str  # what the import reads (second row)
    heading: str  # what a person reads (first row)
    kind: str  # "info", "value" (typed in), "note" or "read_only"
    width: int = 16


@dataclass
class Template:
    week: str
    columns: list[Column]
    rows: list[list[Any]]
    # per row, the value columns its unit does not report (locked and grey in the .xlsx)
    not_reported: list[set[int]] = field(default_factory=list)


def _last_week(session: Session, rules: CampaignRules, root: Unit, week: Week,
               codes: list[str]) -> tuple[dict[int, str], dict[int, dict[str, int]]]:
    """Per unit, the week its figures at `week` come from (carried forward when it skipped
    weeks) and the figures of the targets' metrics among `codes`, as progress counts them."""
    by_id = {m.id: m.code for m in rules.metrics.values()}
    periods: dict[int, str] = {}
    figures: dict[int, dict[str, int]] = {}
    for target in rules.targets:
        num, den = by_id.get(target.numerator_metric_id), by_id.get(target.denominator_metric_id)
        if num not in codes and den not in codes:
            continue
        for f in unit_figures(session, rules.campaign, target, root, week):
            if f.period is None:  # never reported up to that week: nothing to show
                continue
            periods[f.unit_id] = f.period
            mine = figures.setdefault(f.unit_id, {})
            if num in codes and f.numerator_reported:  # never a figure the unit did not send
                mine.setdefault(num, f.numerator)
            if den in codes and f.denominator is not None:
                mine.setdefault(den, f.denominator)
    return periods, figures


def template_rows(session: Session, principal: Principal, campaign: Campaign,
                  period: str | None, under: str | None, now: datetime) -> Template:
    """The expected units the caller may report for, one row each, with empty value cells
    and, read-only, their figures at the week before."""
    week = Calendar(campaign).week(period, now)
    root = resolve_under(session, principal, under, Action.report_write)
    rules = CampaignRules.load(session, campaign)
    units = session.exec(select(Unit).where(
        *expected_filter(session, campaign, week),
        Unit.path.startswith(root.path, autoescape=True))
        .order_by(Unit.path)).all()
    metrics = [m for m in rules.metrics.values()
               if not m.is_baseline and any(u.kind in m.unit_kinds for u in units)]
    previous = week.shift(-1)
    periods, figures = _last_week(session, rules, root, previous, [m.code for m in metrics])
    shown = [m for m in metrics if any(m.code in f for f in figures.values())]
    columns = [Column("unit", "Mã đơn vị", "info", 18), Column("unit_name", "Tên đơn vị", "info", 40),
               *[Column(m.code, m.name, "value") for m in metrics],
               Column("note", "Ghi chú", "note", 30)]
    if shown:
        columns += [Column(f"{READ_ONLY}period", f"Tuần trước ({previous}): báo cáo gần nhất",
                           "read_only"),
                    *[Column(f"{READ_ONLY}{m.code}", f"Tuần trước: {m.name}", "read_only")
                      for m in shown]]
    template = Template(str(week), columns, [])
    for u in units:
        last = figures.get(u.id, {})
        template.rows.append([u.code, u.name, *[None for _ in metrics], None,
                              *([periods.get(u.id)] if shown else []),
                              *[last.get(m.code) for m in shown]])
        template.not_reported.append({2 + i for i, m in enumerate(metrics)
                                      if u.kind not in m.unit_kinds})
    return template


def template_csv(t: Template) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(csv_row([c.heading for c in t.columns]))
    writer.writerow(csv_row([c.code for c in t.columns]))
    writer.writerows([csv_row(["" if c is None else c for c in r]) for r in t.rows])
    return out.getvalue().encode("utf-8-sig")  # the BOM lets Excel read Vietnamese correctly


_GREY = PatternFill("solid", start_color="FFE7E6E6")
_GREY_TEXT = Font(color="FF595959", italic=True)
_OPEN = Protection(locked=False)


def template_xlsx(campaign: Campaign, t: Template) -> bytes:
    """The sheet is protected (no password: a guard against slips, not a lock): only the value
    cells a unit reports and the note can be typed in; headings, codes, units and last week's
    figures are locked, and the import ignores the last ones whatever they hold."""
    wb = Workbook()
    ws = wb.active
    ws.title = t.week
    # Unit names and headings are written as text: one starting with = + - @ is never a formula.
    for row, values in enumerate([[c.heading for c in t.columns], [c.code for c in t.columns],
                                  *t.rows], start=1):
        for col, value in enumerate(values, start=1):
            set_xlsx(ws.cell(row, col), value)
    for i, c in enumerate(t.columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = c.width
        head = ws.cell(1, i)
        head.font = _GREY_TEXT if c.kind == "read_only" else Font(bold=True)
        head.alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(2, i).font = Font(color="FF808080", size=9)
        if c.kind == "read_only":
            head.fill = _GREY
            for row in range(3, len(t.rows) + 3):
                ws.cell(row, i).fill, ws.cell(row, i).font = _GREY, _GREY_TEXT
    counts = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0",
                            allow_blank=True, error="Chỉ nhập số nguyên không âm.")
    ws.add_data_validation(counts)
    last = len(t.rows) + 2
    for i, c in enumerate(t.columns, start=1):
        if c.kind == "value" and t.rows:
            counts.add(f"{get_column_letter(i)}3:{get_column_letter(i)}{last}")
    for row, skip in enumerate(t.not_reported, start=3):
        for i, c in enumerate(t.columns):
            cell = ws.cell(row, i + 1)
            if c.kind == "note" or (c.kind == "value" and i not in skip):
                cell.protection = _OPEN
            elif c.kind == "value":
                cell.fill = _GREY  # a metric this unit does not report
    ws.protection.sheet = True
    ws.protection.formatColumns = ws.protection.formatRows = False  # widths stay adjustable
    ws.freeze_panes = "C3"
    wb.properties.title = f"{campaign.code} {t.week}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
