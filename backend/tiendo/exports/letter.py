"""The weekly report to the city as an official letter (báo cáo), laid out as Decree 30/2020/NĐ-CP
asks: issuing body beside the national motto, number, place and date, title, the results, the
recipients and the signature, and the units' table as an appendix. Every figure comes from the
progress service, completeness and the weekly table, the same as the screens and the .xlsx."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from sqlmodel import Session

from tiendo.auth.principal import Action, Principal
from tiendo.campaigns.calendar import Calendar
from tiendo.campaigns.schemas import ReportSettings
from tiendo.campaigns.service import get_campaign
from tiendo.core.pagination import PageParams
from tiendo.cycle.completeness import CompletenessFilter, completeness
from tiendo.exports import table
from tiendo.progress.service import progress
from tiendo.units.service import resolve_under

FONT = "Times New Roman"
BODY, SMALL = 14, 13
STATUS_VI = {"met": "đã đạt", "on_track": "đúng tiến độ", "at_risk": "có nguy cơ chậm",
             "behind": "chậm tiến độ"}
MOTTO_NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


MISSING_NAMED = 100  # units not yet reported named in the letter; the rest counted

def vn(n: int | float) -> str:
    return f"{n:,.0f}".replace(",", ".")


def pct(ratio: float | None) -> str:
    return "—" if ratio is None else f"{ratio * 100:.1f}".replace(".", ",") + " %"


def dmy(d) -> str:  # noqa: ANN001 - a date or datetime
    return f"{d:%d/%m/%Y}"


@dataclass
class Rendered:
    content: bytes
    filename: str


def _run(par, text: str, size: int = BODY, bold: bool = False, italic: bool = False):  # noqa: ANN001, ANN202
    run = par.add_run(text)
    run.font.name, run.font.size, run.bold, run.italic = FONT, Pt(size), bold, italic
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    return run


def _par(container, text: str = "", size: int = BODY, bold: bool = False,  # noqa: ANN001, ANN202
         italic: bool = False, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent: bool = True,  # noqa: ANN001
         after: int = 6):
    par = container.add_paragraph()
    par.alignment = align
    fmt = par.paragraph_format
    fmt.space_after, fmt.space_before = Pt(after), Pt(0)
    if indent and align == WD_ALIGN_PARAGRAPH.JUSTIFY:
        fmt.first_line_indent = Mm(10)
    if text:
        _run(par, text, size, bold, italic)
    return par


def _cell(cell, lines: list[tuple[str, int, bool, bool]],  # noqa: ANN001
          align=WD_ALIGN_PARAGRAPH.CENTER) -> None:  # noqa: ANN001
    first = True
    for text, size, bold, italic in lines:
        par = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        par.alignment = align
        par.paragraph_format.space_after = Pt(0)
        _run(par, text, size, bold, italic)


def _no_borders(tbl) -> None:  # noqa: ANN001
    borders = tbl._tbl.tblPr.first_child_found_in("w:tblBorders")
    if borders is not None:
        tbl._tbl.tblPr.remove(borders)
    tbl.style = None


def _number(settings: ReportSettings) -> str:
    # The number itself is given by the clerk (văn thư) when the letter is issued.
    pattern = settings.number_pattern or "/BC-UBND"
    return "Số:      " + pattern.replace("{n}", "").lstrip()


def _header(doc, s: ReportSettings, place_date: str) -> None:  # noqa: ANN001
    tbl = doc.add_table(rows=1, cols=2)
    _no_borders(tbl)
    tbl.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = tbl.rows[0].cells
    left.width, right.width = Mm(62), Mm(103)
    _cell(left, [(s.parent_body.upper(), SMALL, False, False),
                 (s.issuing_body.upper(), SMALL, True, False),
                 ("———————", SMALL, False, False),
                 (_number(s), SMALL, False, False)])
    _cell(right, [(MOTTO_NATION, SMALL, True, False), (MOTTO, BODY, True, False),
                  ("———————————", SMALL, False, False),
                  (place_date, BODY, False, True)])


def _sign(doc, s: ReportSettings) -> None:  # noqa: ANN001
    tbl = doc.add_table(rows=1, cols=2)
    _no_borders(tbl)
    left, right = tbl.rows[0].cells
    left.width, right.width = Mm(80), Mm(85)
    recipients = [("Nơi nhận:", SMALL, True, True)]
    recipients += [(f"- {r};", SMALL, False, False) for r in s.recipients]
    recipients.append(("- Lưu: VT.", SMALL, False, False))
    _cell(left, recipients, WD_ALIGN_PARAGRAPH.LEFT)
    _cell(right, [("TM. ỦY BAN NHÂN DÂN", BODY, True, False),
                  ("KT. CHỦ TỊCH", BODY, True, False),
                  ((s.signer_title or "PHÓ CHỦ TỊCH").upper(), BODY, True, False),
                  ("", BODY, False, False), ("", BODY, False, False), ("", BODY, False, False),
                  (s.signer_name or "………………………", BODY, True, False)])


def _forecast(tp, end) -> str:  # noqa: ANN001
    if tp.status == "met":
        return "Đã đạt chỉ tiêu."
    pace = f"khoảng {vn(tp.weekly_pace)}/tuần" if tp.weekly_pace else "chưa tăng"
    if tp.forecast_date is None and tp.weekly_pace:
        # No date is forecast beyond the campaign's end.
        return (f"Với tốc độ hiện nay ({pace}), sẽ không đạt chỉ tiêu trước khi chiến dịch kết "
                f"thúc ({dmy(end)}).")
    if tp.forecast_date is None:
        return f"Tốc độ hiện nay ({pace}) chưa đủ để dự báo ngày đạt chỉ tiêu."
    return f"Với tốc độ hiện nay ({pace}), dự kiến đạt chỉ tiêu ngày {dmy(tp.forecast_date)}."


def render(session: Session, principal: Principal, campaign_ref: str, period: str | None,
           under_ref: str | None, now: datetime) -> Rendered:
    campaign = get_campaign(session, principal, campaign_ref)
    under = resolve_under(session, principal, under_ref, Action.manage)
    week = Calendar(campaign).week(period, now)
    tz = ZoneInfo(campaign.timezone)
    settings = ReportSettings.model_validate(campaign.report_settings or {})
    prog = progress(session, principal, campaign.code, under.code, str(week), now)
    # Named in the letter: the first units not yet reported, in chasing order (a province has
    # thousands); the rest counted.
    done = completeness(session, principal, campaign, str(week), under.code, now,
                        PageParams(limit=MISSING_NAMED, offset=0),
                        CompletenessFilter(statuses=["missing", "pending"]))
    sheet = table.build(session, principal, campaign.code, str(week), under.code, now)
    dated = min(now, Calendar(campaign).due(week)).astimezone(tz)
    span = f"từ {week.monday:%d/%m} đến {dmy(week.sunday)}"

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(BODY)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    for section in doc.sections:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(20), Mm(20)
        section.left_margin, section.right_margin = Mm(30), Mm(15)

    place = f"{settings.place}, " if settings.place else ""
    _header(doc, settings, f"{place}ngày {dated:%d} tháng {dated:%m} năm {dated:%Y}")
    _par(doc, "BÁO CÁO", BODY, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0).paragraph_format.space_before = Pt(12)  # noqa: E501
    _par(doc, f"Kết quả triển khai {campaign.name} (tuần {week.week}, {span})", BODY, bold=True,
         align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
    _par(doc, f"{settings.issuing_body or under.name} báo cáo kết quả triển khai tuần {week.week} "
              f"({span}); số liệu tổng hợp từ báo cáo của các đơn vị đến "
              f"{min(now, week.end(campaign.timezone)).astimezone(tz):%H:%M} ngày "
              f"{dmy(min(now, week.end(campaign.timezone)).astimezone(tz))}, như sau:")

    _par(doc, "I. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU", bold=True, indent=True)
    for i, tp in enumerate(prog.targets, start=1):
        _par(doc, f"{i}. {tp.name}", bold=True)
        _par(doc, f"- Đã thực hiện: {vn(tp.numerator)}/{vn(tp.denominator)}, đạt {pct(tp.ratio)}"
                  f" (mục tiêu {pct(tp.goal_ratio)}); còn phải thực hiện {vn(tp.remaining)}.")
        deadlines = f"- Hạn của huyện {dmy(tp.deadline)}: {STATUS_VI[tp.status]}"
        if tp.upstream_deadline is not None and tp.upstream_status is not None:
            deadlines += (f"; hạn của thành phố {dmy(tp.upstream_deadline)}: "
                          f"{STATUS_VI[tp.upstream_status]}")
        _par(doc, deadlines + ".")
        _par(doc, "- " + _forecast(tp, campaign.end_date))

    _par(doc, "II. CÔNG TÁC TUYÊN TRUYỀN", bold=True)
    for name, total in sheet.other_totals:  # the figures engine's sums over the subtree
        _par(doc, f"- {name}: {vn(total)}.")

    _par(doc, "III. TÌNH HÌNH BÁO CÁO CỦA CÁC ĐƠN VỊ", bold=True)
    _par(doc, f"- Đã báo cáo {vn(done.on_time + done.late)}/{vn(done.expected)} đơn vị (đúng hạn "
              f"{vn(done.on_time)}, muộn {vn(done.late)}); chưa báo cáo {vn(done.missing)} "
              "đơn vị.")
    missing = [u.unit_name for u in done.data]
    if missing:
        more = f" và {vn(done.count - len(missing))} đơn vị khác" if done.count > len(missing) else ""
        _par(doc, "- Các đơn vị chưa báo cáo: " + ", ".join(missing) + more + ".")
    for tp in prog.targets:
        behind = [f"{c['unit_name']} ({pct(c['ratio'])})" for c in tp.children
                  if c["status"] == "behind"]
        if behind:
            _par(doc, f"- Các đơn vị chậm tiến độ ({tp.name}): " + ", ".join(behind) + ".")

    _par(doc, "IV. ĐỐI CHIẾU VỚI SỐ LIỆU CHÍNH THỨC", bold=True)
    compared = False
    for tp in prog.targets:
        o = tp.official
        if o is None:
            continue
        compared = True
        seen = o.observed_at.astimezone(tz)
        gap = o.value - tp.numerator
        _par(doc, f"- Theo số liệu của {o.source} lúc {seen:%H:%M} ngày {dmy(seen)}: "
                  f"{vn(o.value)} ({tp.name}); tổng số các đơn vị báo cáo tuần {week.week}: "
                  f"{vn(tp.numerator)}; chênh lệch {'+' if gap > 0 else ''}{vn(gap)}.")
    if not compared:
        _par(doc, "- Chưa có số liệu chính thức trong tuần.")

    _par(doc, "V. ĐỀ XUẤT, KIẾN NGHỊ", bold=True)
    _par(doc, "")  # for the office to write
    _par(doc, f"Trên đây là báo cáo kết quả triển khai tuần {week.week} của "
              f"{settings.issuing_body or under.name}./.")
    _sign(doc, settings)

    # Appendix: the units' table, one per target (the same rows as the .xlsx).
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _par(doc, "PHỤ LỤC", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _par(doc, f"Kết quả theo đơn vị, tuần {week.week} ({span})", italic=True,
         align=WD_ALIGN_PARAGRAPH.CENTER)
    for sh in sheet.sheets:
        _par(doc, f"{sh.name} (hạn {dmy(sh.deadline)})", bold=True, indent=False,
             align=WD_ALIGN_PARAGRAPH.LEFT)
        heads = ["STT", "Đơn vị", sh.denominator_label, sh.numerator_label, "Tỷ lệ",
                 "Báo cáo tuần"]
        tbl = doc.add_table(rows=1, cols=len(heads))
        tbl.style = "Table Grid"
        for cell, head in zip(tbl.rows[0].cells, heads, strict=True):
            _cell(cell, [(head, SMALL, True, False)])
        n = 0
        for group in sh.groups:
            row = tbl.add_row().cells
            merged = row[0].merge(row[-1])
            _cell(merged, [(group.label, SMALL, True, False)], WD_ALIGN_PARAGRAPH.LEFT)
            for line in group.lines:
                n += 1
                for stt, shown in [(str(n), line)] + [(f"{n}.{k}", sub) for k, sub
                                                       in enumerate(line.sub, start=1)]:
                    values = [stt, shown.name,
                              "—" if shown.denominator is None else vn(shown.denominator),
                              "—" if shown.note == "Chưa có số liệu" else vn(shown.numerator),
                              pct(shown.ratio), shown.reporting]
                    cells = tbl.add_row().cells
                    for i, (cell, value) in enumerate(zip(cells, values, strict=True)):
                        _cell(cell, [(value, SMALL, False, False)],
                              WD_ALIGN_PARAGRAPH.LEFT if i == 1 else WD_ALIGN_PARAGRAPH.CENTER)
        total = sh.total
        cells = tbl.add_row().cells
        for i, (cell, value) in enumerate(zip(cells, ["", total.name, vn(total.denominator or 0),
                                                      vn(total.numerator), pct(total.ratio),
                                                      total.reporting], strict=True)):
            _cell(cell, [(value, SMALL, True, False)],
                  WD_ALIGN_PARAGRAPH.LEFT if i == 1 else WD_ALIGN_PARAGRAPH.CENTER)
        _par(doc, "", after=6)

    buf = io.BytesIO()
    doc.save(buf)
    return Rendered(buf.getvalue(),
                    f"bao-cao-tuan-{campaign.code}-{week}-{under.code}.docx")
