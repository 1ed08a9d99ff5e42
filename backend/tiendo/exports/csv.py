"""The weekly report as CSV: the same rows as the .xlsx (a row per child of the unit, with
depth=2 their children numbered "1.1", and a total per target), in
UTF-8 with a BOM so that Excel opens Vietnamese correctly. Counts are plain integers, the rate a
percentage with a decimal comma (76,4), times dd/mm/yyyy HH:MM."""

from __future__ import annotations

import csv
import io

from tiendo.exports.cells import csv_row
from tiendo.exports.table import Line, WeeklyReport

HEADER = ["Chỉ tiêu", "Nhóm", "STT", "Mã đơn vị", "Đơn vị", "Tổng số", "Đã đạt", "Tỷ lệ (%)",
          "Còn lại", "Tình trạng báo cáo", "Thời gian gửi", "Ghi chú"]


def percent(ratio: float | None) -> str:
    return "" if ratio is None else f"{ratio * 100:.1f}".replace(".", ",")


def _row(target: str, group: str, stt: int | str, line: Line) -> list:
    received = line.received_at.strftime("%d/%m/%Y %H:%M") if line.received_at else ""
    return csv_row([target, group, stt, line.code, line.name,
                    "" if line.denominator is None else line.denominator, line.numerator,
                    percent(line.ratio), line.remaining, line.reporting, received, line.note,
                    *("" if v is None else v for v in line.others)])


def render(report: WeeklyReport) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    # The campaign's other metrics (propaganda counts) follow, the same for every target.
    others = report.sheets[0].other_labels if report.sheets else []
    writer.writerow(csv_row(HEADER + others))
    for sheet in report.sheets:
        stt = 0
        for group in sheet.groups:
            for line in group.lines:
                stt += 1
                writer.writerow(_row(sheet.code, group.label, stt, line))
                for n, sub in enumerate(line.sub, start=1):  # depth=2: "1.1", "1.2"…
                    writer.writerow(_row(sheet.code, group.label, f"{stt}.{n}", sub))
        total = _row(sheet.code, "", "", sheet.total)
        if sheet.official:  # the outside count, in the total's note
            total[HEADER.index("Ghi chú")] = sheet.official
        writer.writerow(total)
    return out.getvalue().encode("utf-8-sig")
