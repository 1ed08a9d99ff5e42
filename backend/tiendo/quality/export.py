"""'Số liệu cần xác minh' in the weekly .xlsx (a sheet of its own) and .docx (a section at the
end): the open flags of the week under the report's root. Added to the rendered file, so that
the weekly export itself stays as it is."""

from __future__ import annotations

import io
from datetime import datetime

from docx import Document
from openpyxl import load_workbook
from openpyxl.styles import Alignment, Font
from sqlmodel import Session

from tiendo.auth.principal import Action, Principal
from tiendo.campaigns.calendar import Calendar
from tiendo.campaigns.service import get_campaign
from tiendo.quality.models import FlagState
from tiendo.quality.schemas import FlagPublic
from tiendo.quality.service import list_flags
from tiendo.units.service import resolve_under

TITLE = "Số liệu cần xác minh"
KINDS = {"rule": "Quy tắc", "outlier": "Tăng bất thường", "over_denominator": "Vượt mẫu số",
         "stale": "Giữ nguyên nhiều tuần", "denominator_churn": "Mẫu số thay đổi liên tục",
         "above_official": "Vượt số liệu chính thức"}
MAX_FLAGS = 500


def open_flags(session: Session, principal: Principal, campaign_ref: str, period: str | None,
               under_ref: str | None, now: datetime) -> list[FlagPublic]:
    campaign = get_campaign(session, principal, campaign_ref)
    under = resolve_under(session, principal, under_ref, Action.manage)
    week = Calendar(campaign).week(period, now)
    rows, _ = list_flags(session, principal, campaign=campaign.code, period=str(week),
                         under=under.code, unit=None, state=FlagState.open, kind=None,
                         limit=MAX_FLAGS, offset=0)
    return rows


def _row(n: int, f: FlagPublic) -> list:
    return [n, f.unit_name, f.unit, KINDS.get(f.kind, f.kind),
            "Chặn" if f.severity == "blocking" else "Cảnh báo", f.message]


def add_to_xlsx(content: bytes, flags: list[FlagPublic]) -> bytes:
    wb = load_workbook(io.BytesIO(content))
    ws = wb.create_sheet(TITLE)
    ws.append([TITLE])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(["STT", "Đơn vị", "Mã", "Loại", "Mức", "Nội dung"])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for n, f in enumerate(flags, 1):
        ws.append(_row(n, f))
    if not flags:
        ws.append(["", "Không có số liệu cần xác minh."])
    for col, width in zip("ABCDEF", (6, 36, 18, 22, 10, 80), strict=True):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=3):
        row[5].alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def add_to_docx(content: bytes, flags: list[FlagPublic]) -> bytes:
    doc = Document(io.BytesIO(content))
    doc.add_paragraph().add_run(f"{TITLE.upper()} (chưa xem xét)").bold = True
    if not flags:
        doc.add_paragraph("Không có số liệu cần xác minh.")
    else:
        table = doc.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, ("STT", "Đơn vị", "Loại", "Nội dung"),
                              strict=True):
            cell.paragraphs[0].add_run(text).bold = True
        for n, f in enumerate(flags, 1):
            cells = table.add_row().cells
            for cell, text in zip(cells, (str(n), f.unit_name, KINDS.get(f.kind, f.kind),
                                          f.message), strict=True):
                cell.text = text
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
