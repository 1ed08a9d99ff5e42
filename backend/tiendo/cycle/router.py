"""HTTP for the weekly cycle: completeness, the due list, approval and locks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query

from tiendo.auth.deps import Manager, Reader, ReportWriterReader
from tiendo.core.clock import NowDep
from tiendo.core.contract import ApiRoute
from tiendo.core.pagination import Page, PageDep
from tiendo.core.periods import PeriodQuery
from tiendo.cycle import approval, chase, completeness, due, locks
from tiendo.cycle.idempotency import IdempotencyDep
from tiendo.cycle.schemas import (
    ApproveMany,
    ApproveManyResult,
    ChasePublic,
    CompletenessPublic,
    CompletenessStatus,
    DueEntry,
    LockCreate,
    LockPublic,
    ReturnBody,
    UnlockCreate,
    UnlockPublic,
)
from tiendo.db import SessionDep
from tiendo.errors import ETAG, responses, success_headers
from tiendo.reports.schemas import ReportPublic
from tiendo.reports.service import to_public
from tiendo.units.models import UnitKind

router = APIRouter(responses=responses(401, 403), route_class=ApiRoute)
CampaignQuery = Annotated[str, Query(max_length=64, description="Mã chiến dịch")]
UnitQuery = Annotated[str | None, Query(max_length=64,
                                        description="Mã đơn vị; mặc định đơn vị cao nhất của bạn")]
ReportId = Annotated[int, Path(ge=1, le=2**31 - 1)]
IfMatch = Annotated[str | None, Header(max_length=32,
                                       description="Phiên bản đã xem (tuỳ chọn), ví dụ \"2\"")]


@router.get("/completeness", name="completeness-read", tags=["cycle"],
            summary="Tình hình nộp báo cáo của một tuần: đúng hạn, muộn, chưa nộp",
            description="Số đếm cho cả cây đơn vị `under` (đơn vị đang hoạt động thuộc loại mà "
                        "chỉ tiêu của chiến dịch áp dụng): on_time, late, missing, pending (chưa "
                        "nộp, hạn chưa đến; `missing` đếm mọi đơn vị chưa nộp, kể cả `pending`), "
                        "và MỘT trang đơn vị (`limit`, `offset`; lọc theo `status`, `kind`) theo "
                        "thứ tự đôn đốc: chưa nộp trước, rồi muộn, rồi theo loại đơn vị và mã.",
            responses=responses(404, 422))
def read_completeness(session: SessionDep, principal: Reader, now: NowDep, page: PageDep,
                      campaign: CampaignQuery, period: PeriodQuery = None,
                      under: UnitQuery = None,
                      status: Annotated[list[CompletenessStatus] | None, Query(
                          max_length=4, description="Chỉ các đơn vị có trạng thái này "
                                                    "(lặp lại được)")] = None,
                      kind: Annotated[UnitKind | None, Query(
                          description="Chỉ các đơn vị loại này")] = None,
                      ) -> CompletenessPublic:
    only = completeness.CompletenessFilter(statuses=status, kind=kind)
    return completeness.completeness(session, principal, campaign, period, under, now, page,
                                     only)


@router.get("/chase", name="chase-list", tags=["cycle"],
            summary="Cần đôn đốc: đơn vị chưa nộp, nộp muộn hoặc bị trả lại, theo nhóm",
            description="Tuần hiện tại và tuần trước (khi chưa khoá sổ, đơn vị còn nộp muộn "
                        "được). Nhóm: xã/thị trấn; cơ quan chuyên môn và đơn vị sự nghiệp; "
                        "trường học; Đảng và đoàn thể. Trong nhóm: chưa nộp trước, nộp muộn "
                        "sau, rồi đơn vị xa mục tiêu nhất. Kèm người đứng đầu, người báo cáo, "
                        "số điện thoại và tin nhắn Zalo soạn sẵn.",
            responses=responses(404, 422))
def list_chase(session: SessionDep, principal: Manager, now: NowDep, campaign: CampaignQuery,
               under: UnitQuery = None,
               limit: Annotated[int, Query(ge=1, le=chase.MAX_LIMIT, description=(
                   "Số đơn vị liệt kê tối đa mỗi nhóm (`count` là tổng của nhóm)"))]
               = chase.DEFAULT_LIMIT) -> ChasePublic:
    return chase.chase(session, principal, campaign, under, now, limit)


@router.get("/due", name="due-list", tags=["cycle"],
            summary="Các báo cáo đơn vị của bạn cần nộp (tuần này và các tuần còn thiếu)",
            responses=responses(404))
def list_due(session: SessionDep, principal: ReportWriterReader, now: NowDep, page: PageDep,
             campaign: Annotated[str | None, Query(max_length=64)] = None,
             unit: Annotated[str | None, Query(max_length=64, description=(
                 "Chỉ một đơn vị (mã hoặc id): các tuần của riêng đơn vị đó"))] = None,
             ) -> Page[DueEntry]:
    return due.due_page(session, principal, campaign, unit, now, page)


@router.post("/reports/approve", name="reports-approve-many", tags=["reports"],
             summary="Duyệt cả tuần: mọi báo cáo đã gửi của một đơn vị và cấp dưới, hoặc một "
                     "danh sách id",
             description="Trả lời báo cáo nào đã duyệt và báo cáo nào bỏ qua kèm lý do (đã "
                         "duyệt, đang trả lại, tuần đã khoá sổ, không tìm thấy). Mỗi báo cáo "
                         "được duyệt có một dòng nhật ký `report.approve`.",
             responses=responses(404, 422))
def approve_many(data: ApproveMany, session: SessionDep, principal: Manager, now: NowDep,
                 idem: IdempotencyDep) -> ApproveManyResult:
    if (replay := idem.replay(session, data)) is not None:
        return replay
    return idem.respond(session, 200, approval.approve_many(session, principal, data, now))


@router.post("/reports/{report_id}/approve", name="reports-approve", tags=["reports"],
             summary="Duyệt báo cáo (sau đó không sửa được)",
             responses={**responses(404, 409, 412, 422), **success_headers(200, ETAG)})
def approve_report(report_id: ReportId, session: SessionDep, principal: Manager, now: NowDep,
                   idem: IdempotencyDep, if_match: IfMatch = None) -> ReportPublic:
    if (replay := idem.replay(session, f"{report_id} {if_match}")) is not None:
        return replay
    report, unit = approval.approve_report(session, principal, report_id, if_match, now)
    return idem.respond(session, 200, to_public(session, [(report, unit)])[0],
                        {"ETag": f'"{report.version}"'})


@router.post("/reports/{report_id}/return", name="reports-return", tags=["reports"],
             summary="Trả lại báo cáo để đơn vị sửa, kèm lý do",
             responses={**responses(404, 409, 412, 422, 423), **success_headers(200, ETAG)})
def return_report(report_id: ReportId, data: ReturnBody, session: SessionDep,
                  principal: Manager, now: NowDep, idem: IdempotencyDep,
                  if_match: IfMatch = None) -> ReportPublic:
    if (replay := idem.replay(session, f"{report_id} {if_match} {data.model_dump_json()}")):
        return replay
    report, unit = approval.return_report(session, principal, report_id, data.reason, if_match,
                                          now)
    return idem.respond(session, 200, to_public(session, [(report, unit)])[0],
                        {"ETag": f'"{report.version}"'})


def _lock_public(entry: locks.LockEntry) -> LockPublic:
    return LockPublic(id=entry.id, campaign=entry.campaign, period=entry.period,
                      unit=entry.unit.code, unit_name=entry.unit.name, locked_at=entry.locked_at,
                      locked_by_name=entry.locked_by_name, reason=entry.reason,
                      automatic=entry.automatic)


@router.get("/locks", name="locks-list", tags=["cycle"],
            summary="Các tuần đã khoá (do quản lý khoá hoặc tự động khoá)",
            responses=responses(404, 422))
def list_locks(session: SessionDep, principal: Reader, now: NowDep, campaign: CampaignQuery,
               page: PageDep,
               period: PeriodQuery = None,
               ) -> Page[LockPublic]:
    rows = Page.of(locks.list_locks(session, principal, campaign, period, now), page)
    return Page(data=[_lock_public(e) for e in rows.data], count=rows.count, limit=page.limit,
                offset=page.offset)


@router.post("/locks", name="locks-create", tags=["cycle"], status_code=201,
             summary="Khoá một tuần cho một đơn vị và các đơn vị cấp dưới",
             description="Sau khi khoá, mọi thao tác ghi vào tuần đó nhận 423 `period_locked`.",
             responses=responses(404, 422))
def create_lock(data: LockCreate, session: SessionDep, principal: Manager, now: NowDep,
                idem: IdempotencyDep) -> LockPublic:
    if (replay := idem.replay(session, data)) is not None:
        return replay
    row, campaign, unit = locks.lock_period(session, principal, data.campaign, data.period,
                                            data.unit, data.reason, now)
    entry = locks.LockEntry(row.id, campaign.code, row.period, unit, row.at, row.by_name,
                            row.reason, False)
    return idem.respond(session, 201, _lock_public(entry))


@router.post("/locks/unlock", name="locks-unlock", tags=["cycle"],
             summary="Mở khoá một tuần cho một đơn vị (bắt buộc ghi lý do; có nhật ký)",
             responses=responses(404, 409, 422))
def unlock(data: UnlockCreate, session: SessionDep, principal: Manager, now: NowDep,
           idem: IdempotencyDep) -> UnlockPublic:
    if (replay := idem.replay(session, data)) is not None:
        return replay
    row, campaign, unit = locks.unlock_period(session, principal, data.campaign, data.period,
                                              data.unit, data.reason, now)
    return idem.respond(session, 200, UnlockPublic(
        id=row.id, campaign=campaign.code, period=row.period, unit=unit.code,
        unit_name=unit.name, unlocked_at=row.at, unlocked_by_name=row.by_name,
        reason=row.reason))
