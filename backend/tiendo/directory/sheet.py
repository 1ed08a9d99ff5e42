"""Reading an uploaded .xlsx safely, and writing the templates.

Nothing in a file is evaluated: formulas are read as the text they are ("=1+2" stays
"=1+2", never 3 nor Excel's cached result), and only the first sheet's cells are read."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from tiendo.errors import Invalid

MAX_FILE_BYTES = 2 * 1024 * 1024  # a district's units or staff fit many times over
MAX_UNPACKED_BYTES = 40 * 1024 * 1024  # what the zip may expand to (zip bombs)
MAX_ROWS = 2000
XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Row:
    number: int  # the row number in the file, as Excel shows it
    cells: dict[str, str]  # column → text, blank cells left out


def _text(value: Any) -> str:  # noqa: ANN401 - whatever a cell holds
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(data: bytes, columns: tuple[str, ...], required: tuple[str, ...]) -> list[Row]:
    """The data rows of the first sheet, under a header row of known column names."""
    if len(data) > MAX_FILE_BYTES:
        raise Invalid(f"Tệp quá lớn (tối đa {MAX_FILE_BYTES // 1024 // 1024} MB).", field="file",
                      code="file_too_large")
    unreadable = Invalid("Không đọc được tệp Excel (.xlsx).", field="file", code="unreadable_file")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if sum(i.file_size for i in z.infolist()) > MAX_UNPACKED_BYTES:
                raise Invalid("Tệp giải nén quá lớn.", field="file", code="file_too_large")
        # data_only=False: a formula comes back as its text, not as a cached result.
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise unreadable from exc
    try:
        raw = list(wb.worksheets[0].iter_rows(values_only=True, max_row=MAX_ROWS + 2,
                                              max_col=len(columns) + 10))
        total = wb.worksheets[0].max_row or 0
    finally:
        wb.close()
    if not raw:
        raise Invalid("Tệp trống.", field="file", code="empty_file")
    header = [_text(c).lower() for c in raw[0]]
    while header and not header[-1]:
        header.pop()
    unknown = [h for h in header if h and h not in columns]
    missing = [c for c in required if c not in header]
    if unknown or missing:
        parts = []
        if missing:
            parts.append(f"thiếu cột {', '.join(missing)}")
        if unknown:
            parts.append(f"cột không dùng được {', '.join(unknown[:10])}")
        raise Invalid(f"Dòng đầu của tệp không đúng mẫu: {'; '.join(parts)}.", field="file",
                      code="wrong_columns", details=[{"missing": missing, "unknown": unknown,
                                                      "expected": list(columns)}])
    if len(raw) > MAX_ROWS + 1 or total > MAX_ROWS + 1:
        raise Invalid(f"Tối đa {MAX_ROWS} dòng mỗi tệp.", field="file", code="too_many_rows")
    rows = []
    for number, values in enumerate(raw[1:], start=2):
        cells = {h: _text(v) for h, v in zip(header, values, strict=False) if h and _text(v)}
        if cells:
            rows.append(Row(number, cells))
    return rows


def template(title: str, columns: tuple[str, ...], notes: dict[str, str],
             example: dict[str, str]) -> bytes:
    """An empty sheet with the header row (every column formatted as text, so that a phone
    keeps its leading 0) and a second sheet explaining each column."""
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(list(columns))
    for i, cell in enumerate(ws[1], start=1):
        cell.font = Font(bold=True)
        letter = cell.column_letter
        ws.column_dimensions[letter].width = 24 if i > 2 else 30
        for r in range(2, 502):
            ws.cell(row=r, column=i).number_format = "@"
    ws.freeze_panes = "A2"
    help_ws = wb.create_sheet("Hướng dẫn")
    help_ws.append(["Cột", "Ý nghĩa", "Ví dụ"])
    for cell in help_ws[1]:
        cell.font = Font(bold=True)
    for c in columns:
        # Examples such as "+84 …" are written as text cells: openpyxl never makes a formula
        # of a value that does not start with "=", and none of ours does.
        help_ws.append([c, notes.get(c, ""), example.get(c, "")])
    help_ws.column_dimensions["A"].width = 20
    help_ws.column_dimensions["B"].width = 80
    help_ws.column_dimensions["C"].width = 30
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
