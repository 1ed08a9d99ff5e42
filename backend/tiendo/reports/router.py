from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response

from tiendo.auth.deps import Reader, ReportWriter
from tiendo.core.clock import NowDep
from tiendo.core.contract import ApiRoute
from tiendo.core.pagination import Page, PageDep
from tiendo.core.periods import PeriodQuery
from tiendo.cycle.idempotency import IdempotencyDep
from tiendo.db import SessionDep
from tiendo.errors import ETAG, LOCATION, responses, success_headers
from tiendo.quality.schemas import ReportCheck
from tiendo.reports import service
from tiendo.reports.models import ReportStatus
from tiendo.reports.schemas import ReportCreate, ReportPublic, ReportReplace, RevisionPublic

router = APIRouter(prefix="/reports", tags=["reports"], responses=responses(401, 403, 405),
                   route_class=ApiRoute)
ReportId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _one(session, report, unit, response: Response) -> ReportPublic:  # noqa: ANN001
    response.headers["ETag"] = f'"{report.version}"'
    return service.to_public(session, [(report, unit)])[0]


@router.post("", name="reports-create", status_code=201, summary="Gửi báo cáo tuần",
             description="Một báo cáo cho mỗi chiến dịch × đơn vị × tuần ISO. Số liệu là số "
                         "cộng dồn đến thời điểm báo cáo. Gửi trước hạn (thứ Năm 15:00) là "
                         "đúng hạn.",
             responses={**responses(404, 409, 422, 423), **success_headers(201, ETAG, LOCATION)})
def create_report(data: ReportCreate, session: SessionDep, principal: ReportWriter,
                  now: NowDep, idem: IdempotencyDep) -> ReportPublic:
    if (replay := idem.replay(session, data)) is not None:
        return replay
    report = service.create_report(session, principal, data, now)
    return idem.respond(session, 201, report, {"Location": f"/api/v1/reports/{report.id}",
                                               "ETag": f'"{report.version}"'})


@router.post("/check", name="reports-check", summary="Kiểm tra báo cáo trước khi gửi",
             description="Cùng nội dung như khi gửi báo cáo; không lưu gì. Trả về các cảnh báo "
                         "của quy tắc kiểm tra số liệu (và quy tắc chặn, nếu có); các lỗi khác "
                         "được trả như khi gửi.", responses=responses(404, 422))
def check_report(data: ReportCreate, session: SessionDep, principal: ReportWriter,
                 now: NowDep) -> ReportCheck:
    return service.check_report(session, principal, data, now)


@router.get("", name="reports-list", summary="Danh sách báo cáo trong phạm vi",
            responses=responses(404, 422))
def list_reports(
    session: SessionDep, principal: Reader, page: PageDep, now: NowDep,
    campaign: Annotated[str | None, Query(max_length=64)] = None,
    unit: Annotated[str | None, Query(max_length=64)] = None,
    under: Annotated[str | None, Query(max_length=64)] = None,
    period: PeriodQuery = None,
    status: ReportStatus | None = None,
) -> Page[ReportPublic]:
    rows, total = service.list_reports(session, principal, campaign=campaign, unit=unit,
                                       under=under, period=period, status=status,
                                       limit=page.limit, offset=page.offset, now=now)
    return Page(data=service.to_public(session, rows), count=total, limit=page.limit,
                offset=page.offset)


@router.get("/{report_id:int}", name="reports-read", summary="Xem báo cáo",
            responses={**responses(404), **success_headers(200, ETAG)})
def read_report(report_id: ReportId, session: SessionDep, principal: Reader,
                response: Response) -> ReportPublic:
    report, unit = service.get_report(session, principal, report_id)
    return _one(session, report, unit, response)


@router.put("/{report_id:int}", name="reports-replace", summary="Sửa báo cáo (thay toàn bộ số liệu)",
            description="Cần phiên bản hiện tại: trường `version` hoặc header `If-Match`. "
                        "Phiên bản cũ → 412, không thay đổi gì.",
            responses={**responses(404, 409, 412, 422, 423, 428), **success_headers(200, ETAG)})
def replace_report(report_id: ReportId, data: ReportReplace, session: SessionDep,
                   principal: ReportWriter, now: NowDep, response: Response,
                   if_match: Annotated[str | None, Header(max_length=32)] = None) -> ReportPublic:
    report, unit = service.replace_report(session, principal, report_id, data, if_match, now)
    return _one(session, report, unit, response)


@router.get("/{report_id:int}/revisions", name="reports-revisions",
            summary="Các phiên bản của báo cáo", responses=responses(404))
def list_revisions(report_id: ReportId, session: SessionDep, principal: Reader,
                   page: PageDep) -> Page[RevisionPublic]:
    return Page.of(service.list_revisions(session, principal, report_id), page)
