"""Spreadsheet import (.csv or .xlsx: one row per unit, a `unit` column and one column per
metric code) and the template to fill in, prefilled with each unit's latest values."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import and_, func
from sqlmodel import Session, select

from tiendo.auth.principal import Action, Principal
from tiendo.campaigns.calendar import Calendar
from tiendo.campaigns.models import Campaign
from tiendo.errors import Invalid
from tiendo.figures.units import expected_filter
from tiendo.reports.bulk import Item
from tiendo.reports.models import Report
from tiendo.reports.rules import CampaignRules
from tiendo.reports.schemas import MAX_BULK_ITEMS, ImportConflict
from tiendo.reports.service import values_of
from tiendo.units.models import Unit
from tiendo.units.service import resolve_under

INFO_COLUMNS = ("unit", "unit_name", "note")
_GROUPED = re.compile(r"^\d{1,3}([.,\s]\d{3})+$")  # 2.850 / 2,850 / 2 850


@dataclass
class Sheet:
    header: list[str]
    rows: list[tuple[int, list[Any]]]  # (row number in the file, cells)


def _read_xlsx(data: bytes) -> Sheet:
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise Invalid("Không đọc được tệp Excel (.xlsx).", field="file",
                      code="unreadable_file") from exc
    rows = list(wb.worksheets[0].iter_rows(values_only=True, max_row=MAX_BULK_ITEMS + 2))
    wb.close()
    if not rows:
        return Sheet([], [])
    return Sheet([str(c).strip() if c is not None else "" for c in rows[0]],
                 [(n, list(r)) for n, r in enumerate(rows[1:], start=2)])


def _read_csv(data: bytes) -> Sheet:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid("Tệp CSV phải mã hoá UTF-8.", field="file", code="unreadable_file") from exc
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)  # Excel in Vietnamese locales writes ";"
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if not rows:
        return Sheet([], [])
    return Sheet([c.strip() for c in rows[0]], [(n, r) for n, r in enumerate(rows[1:], start=2)])


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
    the_week = Calendar(campaign).week(period, now)
    week = str(the_week)
    root = resolve_under(session, principal, under, Action.report_write)
    rules = CampaignRules.load(session, campaign)
    units = session.exec(select(Unit).where(
        *expected_filter(session, campaign, the_week), Unit.path.startswith(root.path, autoescape=True))
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
    writer.writerow(header)
    writer.writerows([["" if c is None else c for c in r] for r in rows])
    return out.getvalue().encode("utf-8-sig")  # the BOM lets Excel read Vietnamese correctly


def template_xlsx(campaign: Campaign, week: str, header: list[str],
                  rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = week
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append(r)
    ws.freeze_panes = "C2"
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 40
    wb.properties.title = f"{campaign.code} {week}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
