"""Spreadsheet import (.csv or .xlsx: one row per unit, a `unit` column and one column per
metric code) and the template to fill in, prefilled with each unit's latest values."""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from sqlalchemy import and_, func
from sqlmodel import Session, select

from tiendo.auth.principal import Action, Principal
from tiendo.campaigns.models import Campaign
from tiendo.config import get_settings
from tiendo.cycle.completeness import expected_filter, top_unit
from tiendo.cycle.locks import campaign_week
from tiendo.errors import DomainError, Invalid, PayloadTooLarge
from tiendo.exports.cells import csv_row, set_xlsx
from tiendo.reports.bulk import Item
from tiendo.reports.models import Report
from tiendo.reports.rules import CampaignRules
from tiendo.reports.schemas import MAX_BULK_ITEMS, ImportConflict
from tiendo.reports.service import values_of
from tiendo.units.models import Unit
from tiendo.units.service import get_unit

INFO_COLUMNS = ("unit", "unit_name", "note")
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
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            rows = list(wb.worksheets[0].iter_rows(values_only=True, max_row=MAX_BULK_ITEMS + 2))
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
    if _GROUPED.match(text):
        text = re.sub(r"[.,\s]", "", text)
    return int(text) if text.isdigit() else "Phải là số nguyên."


def sheet_items(sheet: Sheet, rules: CampaignRules,
                period: str) -> tuple[list[Item], list[ImportConflict]]:
    """Rows → bulk items. Blank rows are skipped; an unknown column refuses the whole file."""
    header = [h.lower() if h.lower() in INFO_COLUMNS else h for h in sheet.header]
    if "unit" not in header:
        raise Invalid("Tệp cần cột 'unit' (mã đơn vị) ở dòng đầu.", field="file",
                      code="missing_unit_column")
    unknown = [h for h in header if h and h not in INFO_COLUMNS and h not in rules.metrics]
    if unknown:
        raise Invalid(f"Cột không phải chỉ số của chiến dịch: {', '.join(unknown[:10])}.",
                      field="file", code="unknown_column", details=[{"columns": unknown}])
    if len(sheet.rows) > MAX_BULK_ITEMS:
        raise Invalid(f"Tối đa {MAX_BULK_ITEMS} dòng mỗi tệp.", field="file", code="too_many_rows")
    items: list[Item] = []
    conflicts: list[ImportConflict] = []
    for number, cells in sheet.rows:
        row = dict(zip(header, cells, strict=False))
        unit = str(row.get("unit") or "").strip()
        metric_cells = {h: row.get(h) for h in header if h in rules.metrics}
        counts = {h: _count(v) for h, v in metric_cells.items()}
        if all(v is None for v in counts.values()):
            continue  # an empty line, or a unit left blank in the template: nothing to report
        bad = next(((h, v) for h, v in counts.items() if isinstance(v, str)), None)
        if bad is not None:
            conflicts.append(ImportConflict(index=number, unit=unit or None,
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
    return items, conflicts


# --- the template ---------------------------------------------------------------------------
def template_rows(session: Session, principal: Principal, campaign: Campaign,
                  period: str | None, under: str | None,
                  now: datetime) -> tuple[str, list[str], list[list[Any]]]:
    """(week, header, rows): the expected units the caller may report for, with the metrics
    each reports and its latest values at or before the week."""
    week = str(campaign_week(campaign, period, now))
    root = (get_unit(session, principal, under, Action.report_write, field="under") if under
            else top_unit(session, principal, Action.report_write))
    rules = CampaignRules.load(session, campaign)
    units = session.exec(select(Unit).where(
        *expected_filter(session, campaign), Unit.path.startswith(root.path, autoescape=True))
        .order_by(Unit.path)).all()
    metrics = [m for m in rules.metrics.values()
               if not m.is_baseline and any(u.kind in m.unit_kinds for u in units)]
    latest = (select(Report.unit_id, func.max(Report.period).label("p"))
              .join(Unit, Unit.id == Report.unit_id)
              .where(Report.campaign_id == campaign.id, Report.period <= week,
                     Unit.path.startswith(root.path, autoescape=True))
              .group_by(Report.unit_id).subquery())
    ids = dict(session.exec(select(Report.unit_id, Report.id).join(
        latest, and_(Report.unit_id == latest.c.unit_id, Report.period == latest.c.p))
        .where(Report.campaign_id == campaign.id)).all())
    values = values_of(session, list(ids.values()))
    header = ["unit", "unit_name", *[m.code for m in metrics], "note"]
    rows = []
    for u in units:
        last = values.get(ids.get(u.id), {})
        rows.append([u.code, u.name,
                     *[last.get(m.code) if u.kind in m.unit_kinds else None for m in metrics],
                     ""])
    return week, header, rows


def template_csv(header: list[str], rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(csv_row(header))
    writer.writerows([csv_row(["" if c is None else c for c in r]) for r in rows])
    return out.getvalue().encode("utf-8-sig")  # the BOM lets Excel read Vietnamese correctly


def template_xlsx(campaign: Campaign, week: str, header: list[str],
                  rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = week
    for col, value in enumerate(header, start=1):
        set_xlsx(ws.cell(1, col), value).font = Font(bold=True)
    for row, values in enumerate(rows, start=2):
        for col, value in enumerate(values, start=1):
            set_xlsx(ws.cell(row, col), value)
    ws.freeze_panes = "C2"
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 40
    wb.properties.title = f"{campaign.code} {week}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
