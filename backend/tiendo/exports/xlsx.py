"""The weekly report as an .xlsx in the usual form of a Vietnamese administrative report:
the issuing body and the national motto, a title, "Số liệu tính đến dd/mm/yyyy HH:MM", then a
table (STT, unit, total, done, rate, still to go, reporting status) of the direct children of
the unit, grouped by kind with Roman numerals and subtotals (with depth=2 each child's own
children beneath it, numbered 1.1, 1.2…), and a grand total. One sheet per target, ready to print: A4
landscape, fitted to the page width, the table header repeated on every page."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tiendo.exports.cells import set_xlsx
from tiendo.exports.table import Line, Sheet, WeeklyReport, summed

COLUMNS = [("STT", 6), ("Đơn vị", 44), (None, 15), (None, 15), ("Tỷ lệ", 9), ("Còn lại", 11),
           ("Tình trạng báo cáo", 13), ("Thời gian gửi", 17), ("Ghi chú", 26)]
LAST = get_column_letter(len(COLUMNS))
HEADER_ROW = 9
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BOLD = Font(name="Times New Roman", bold=True, size=12)
PLAIN = Font(name="Times New Roman", size=12)
WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def roman(n: int) -> str:
    out = ""
    for value, letters in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + letters, n - value
    return out


def vn_date(d) -> str:  # noqa: ANN001
    return d.strftime("%d/%m/%Y")


def _title(ws: Worksheet, row: int, text: str, font: Font = BOLD, cols: str = f"A:{LAST}") -> None:
    first, last = cols.split(":")
    ws.merge_cells(f"{first}{row}:{last}{row}")
    cell = set_xlsx(ws[f"{first}{row}"], text)
    cell.font, cell.alignment = font, CENTER


def _heading(ws: Worksheet, report: WeeklyReport, sheet: Sheet) -> None:
    _title(ws, 1, f"UBND {report.under_name.upper()}", cols="A:C")
    _title(ws, 1, "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM", cols=f"D:{LAST}")
    _title(ws, 2, "Độc lập - Tự do - Hạnh phúc", cols=f"D:{LAST}")
    # The type of document in capitals, the campaign's name as written ("iHanoi", not "IHANOI").
    _title(ws, 3, "BÁO CÁO TIẾN ĐỘ")
    _title(ws, 4, report.campaign_name)
    _title(ws, 5, f"Chỉ tiêu: {sheet.name} (hạn {vn_date(sheet.deadline)})", PLAIN)
    _title(ws, 6, f"Tuần {int(report.period[-2:])} (từ {vn_date(report.monday)} đến "
                  f"{vn_date(report.sunday)})", PLAIN)
    _title(ws, 7, f"Số liệu tính đến {report.as_of.strftime('%d/%m/%Y %H:%M')}",
           Font(name="Times New Roman", italic=True, size=12))
    labels = [label for label, _ in COLUMNS]
    labels[2], labels[3] = sheet.denominator_label, sheet.numerator_label
    widths = [width for _, width in COLUMNS] + [14] * len(sheet.other_labels)
    for col, (label, width) in enumerate(zip(labels + sheet.other_labels, widths, strict=True),
                                         start=1):
        cell = set_xlsx(ws.cell(HEADER_ROW, col), label)
        cell.font, cell.alignment, cell.border = BOLD, CENTER, BOX
        ws.column_dimensions[get_column_letter(col)].width = width


NO_FIGURES = "Chưa có số liệu"
DASH = "—"


def _write(ws: Worksheet, row: int, stt: str | int, line: Line, bold: bool) -> None:
    values = [stt, line.name, line.denominator, line.numerator, line.ratio, line.remaining,
              line.reporting, line.received_at, line.note,
              *(DASH if v is None else v for v in line.others)]
    if line.code and line.note == NO_FIGURES:  # a unit that never reported: no "còn lại 0"
        # …but a baseline denominator (a commune's population) is known, and counted in the
        # totals as progress counts it.
        values[2:6] = [DASH if line.denominator is None else line.denominator, DASH, DASH, DASH]
    for col, value in enumerate(values, start=1):
        cell = set_xlsx(ws.cell(row, col), value)
        cell.font, cell.border = (BOLD if bold else PLAIN), BOX
        cell.alignment = WRAP if col in (2, 9) else CENTER
    for col in (3, 4, 6, *range(len(COLUMNS) + 1, len(values) + 1)):
        ws.cell(row, col).number_format = "#,##0"
    ws.cell(row, 5).number_format = "0.0%"
    ws.cell(row, 8).number_format = "dd/mm/yyyy hh:mm"


def _print_setup(ws: Worksheet, last_row: int, extra_columns: int = 0) -> None:
    ws.print_area = f"A1:{get_column_letter(len(COLUMNS) + extra_columns)}{last_row}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "Trang &P / &N"


SHEET_MAX = 31  # Excel's limit on a sheet's name


def _shorten(text: str, limit: int) -> str:
    """Whole words up to `limit` characters, with "…" when some were left out."""
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0].rstrip(" ,;-") or text[:limit - 1]
    return cut + "…"


def sheet_title(name: str, taken: set[str]) -> str:
    base = re.sub(r"\s+", " ", re.sub(r"[\[\]:*?/\\]", " ", name)).strip() or "Chỉ tiêu"
    title, n = _shorten(base, SHEET_MAX), 2
    while title in taken:
        suffix = f" ({n})"
        title, n = _shorten(base, SHEET_MAX - len(suffix)) + suffix, n + 1
    taken.add(title)
    return title


def render(report: WeeklyReport) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    for sheet in report.sheets:
        ws = wb.create_sheet(sheet_title(sheet.name, taken))
        _heading(ws, report, sheet)
        row = HEADER_ROW + 1
        for number, group in enumerate(sheet.groups, start=1):
            _write(ws, row, roman(number), summed(group.label, group.lines, sheet.total.goal),
                   bold=True)
            row += 1
            for stt, line in enumerate(group.lines, start=1):
                _write(ws, row, stt, line, bold=False)
                row += 1
                for n, sub in enumerate(line.sub, start=1):  # depth=2: "1.1", indented
                    _write(ws, row, f"{stt}.{n}", sub, bold=False)
                    ws.cell(row, 2).alignment = Alignment(wrap_text=True, vertical="center",
                                                          indent=2)
                    row += 1
        _write(ws, row, "", sheet.total, bold=True)
        if sheet.official:
            row += 2
            ws.merge_cells(f"A{row}:{LAST}{row}")
            ws.cell(row, 1, sheet.official).font = PLAIN
        _print_setup(ws, row, len(sheet.other_labels))
    if not report.sheets:
        wb.create_sheet("Báo cáo")["A1"] = "Không có chỉ tiêu nào áp dụng cho đơn vị này."
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

