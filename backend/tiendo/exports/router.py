from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from tiendo.auth.deps import Manager
from tiendo.core.clock import NowDep
from tiendo.core.contract import ApiRoute
from tiendo.core.periods import PeriodQuery
from tiendo.db import SessionDep
from tiendo.errors import responses
from tiendo.exports import csv, letter, table, xlsx
from tiendo.quality import export as quality_export

router = APIRouter(prefix="/exports", tags=["exports"], route_class=ApiRoute)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CampaignQuery = Annotated[str, Query(max_length=64, description="Mã hoặc id chiến dịch")]
FlagsQuery = Annotated[bool, Query(description="Thêm phần \"Số liệu cần xác minh\" (cờ dữ "
                                              "liệu chưa xem xét của tuần)")]
UnderQuery = Annotated[str | None, Query(max_length=64,
                                         description="Đơn vị gốc (mặc định: đơn vị cao nhất "
                                                     "bạn quản lý)")]
DepthQuery = Annotated[int, Query(ge=1, le=2, description="1: các đơn vị trực thuộc `under`; "
                                                            "2: thêm một cấp (đơn vị trực thuộc "
                                                            "của từng đơn vị)")]
DESCRIPTION = ("Báo cáo tuần gửi thành phố: mỗi đơn vị trực thuộc `under` một dòng (số liệu của "
               "cả cây đơn vị bên dưới nó), theo nhóm loại đơn vị có dòng cộng nhóm (STT, đơn "
               "vị, tổng số, đã đạt, tỷ lệ, còn lại, tình trạng báo cáo: đúng hạn / muộn / chưa "
               "nộp, hoặc số đơn vị đã nộp), có dòng tổng; `depth=2` thêm một cấp. Cùng số liệu "
               "với GET /progress. Dành cho người quản lý.")


def _file(content: bytes, media_type: str, report: table.WeeklyReport, ext: str) -> Response:
    name = f"bao-cao-tuan-{report.campaign}-{report.period}-{report.under_code}.{ext}"
    return Response(content, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _responses(media_type: str) -> dict:
    return {200: {"content": {media_type: {}}, "description": "Tệp báo cáo"},
            **responses(401, 403, 404, 422)}


@router.get("/weekly-report.xlsx", name="exports-weekly-report-xlsx",
            summary="Báo cáo tuần (Excel, sẵn sàng in)", description=DESCRIPTION,
            response_class=Response, responses=_responses(XLSX))
def weekly_report_xlsx(session: SessionDep, principal: Manager, now: NowDep,
                       campaign: CampaignQuery, period: PeriodQuery = None,
                       under: UnderQuery = None, depth: DepthQuery = 1,
                       flags: FlagsQuery = False) -> Response:
    report = table.build(session, principal, campaign, period, under, now, depth)
    content = xlsx.render(report)
    if flags:
        content = quality_export.add_to_xlsx(content, quality_export.open_flags(
            session, principal, campaign, period, under, now))
    return _file(content, XLSX, report, "xlsx")


@router.get("/weekly-report.csv", name="exports-weekly-report-csv",
            summary="Báo cáo tuần (CSV, UTF-8 có BOM)", description=DESCRIPTION,
            response_class=Response, responses=_responses(CSV))
def weekly_report_csv(session: SessionDep, principal: Manager, now: NowDep,
                      campaign: CampaignQuery, period: PeriodQuery = None,
                      under: UnderQuery = None, depth: DepthQuery = 1) -> Response:
    report = table.build(session, principal, campaign, period, under, now, depth)
    return _file(csv.render(report), CSV, report, "csv")


@router.get("/weekly-report.docx", name="exports-weekly-report-docx",
            summary="Báo cáo tuần gửi thành phố (Word, thể thức Nghị định 30/2020/NĐ-CP)",
            description="Dự thảo báo cáo: cơ quan ban hành và Quốc hiệu, số, địa danh và ngày, "
                        "tên loại và trích yếu; kết quả từng chỉ tiêu (so với hạn của huyện và "
                        "thành phố, dự báo), công tác tuyên truyền, đơn vị chưa báo cáo hoặc chậm "
                        "tiến độ, đối chiếu số liệu chính thức với tổng báo cáo của tuần, đề xuất "
                        "(để trống), nơi nhận, chữ ký; phụ lục bảng theo đơn vị. Tiêu đề, số, nơi "
                        "nhận, người ký lấy từ `report_settings` của chiến dịch.",
            response_class=Response, responses=_responses(DOCX))
def weekly_report_docx(session: SessionDep, principal: Manager, now: NowDep,
                       campaign: CampaignQuery, period: PeriodQuery = None,
                       under: UnderQuery = None, flags: FlagsQuery = False) -> Response:
    out = letter.render(session, principal, campaign, period, under, now)
    if flags:
        out.content = quality_export.add_to_docx(out.content, quality_export.open_flags(
            session, principal, campaign, period, under, now))
    return Response(out.content, media_type=DOCX,
                    headers={"Content-Disposition": f'attachment; filename="{out.filename}"'})
