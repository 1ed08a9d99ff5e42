from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from tiendo.auth.deps import Manager, Reader
from tiendo.core.clock import NowDep
from tiendo.core.contract import ApiRoute
from tiendo.core.pagination import Page, PageDep
from tiendo.core.periods import PeriodQuery
from tiendo.db import SessionDep
from tiendo.errors import responses
from tiendo.quality import service
from tiendo.quality.models import FlagKind, FlagState
from tiendo.quality.schemas import (
    FlagPublic,
    FlagReview,
    QualityRuleIn,
    QualityRulePublic,
    QualitySettingsIn,
    QualitySettingsPublic,
    ScanRequest,
    ScanSummary,
)

router = APIRouter(tags=["data-quality"], responses=responses(401, 403), route_class=ApiRoute)
CampaignRef = Annotated[str, Path(max_length=64, description="Id hoặc mã chiến dịch")]
RuleId = Annotated[int, Path(ge=1, le=2**31 - 1)]
FlagId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Code = Annotated[str | None, Query(max_length=64)]


@router.get("/campaigns/{campaign}/quality-rules", name="quality-rules-list",
            summary="Quy tắc kiểm tra số liệu của chiến dịch", responses=responses(404))
def list_rules(campaign: CampaignRef, session: SessionDep, principal: Reader,
               page: PageDep) -> Page[QualityRulePublic]:
    return Page.of(service.list_rules(session, principal, campaign), page)


@router.post("/campaigns/{campaign}/quality-rules", name="quality-rules-create", status_code=201,
             summary="Thêm quy tắc kiểm tra số liệu (quản lý của đơn vị chủ trì)",
             description="Quy tắc `chặn` từ chối báo cáo (quality_rule_failed); quy tắc `cảnh "
                         "báo` cho báo cáo qua, hiện cảnh báo trên biểu mẫu và ghi cờ dữ liệu.",
             responses=responses(404, 422))
def create_rule(campaign: CampaignRef, data: QualityRuleIn, session: SessionDep,
                principal: Manager, now: NowDep) -> QualityRulePublic:
    return service.create_rule(session, principal, campaign, data, now)


@router.put("/campaigns/{campaign}/quality-rules/{rule_id}", name="quality-rules-replace",
            summary="Sửa quy tắc kiểm tra số liệu", responses=responses(404, 422))
def replace_rule(campaign: CampaignRef, rule_id: RuleId, data: QualityRuleIn,
                 session: SessionDep, principal: Manager, now: NowDep) -> QualityRulePublic:
    return service.replace_rule(session, principal, campaign, rule_id, data, now)


@router.delete("/campaigns/{campaign}/quality-rules/{rule_id}", name="quality-rules-delete",
               status_code=204, summary="Xoá quy tắc kiểm tra số liệu",
               responses=responses(404))
def delete_rule(campaign: CampaignRef, rule_id: RuleId, session: SessionDep,
                principal: Manager, now: NowDep) -> Response:
    service.delete_rule(session, principal, campaign, rule_id, now)
    return Response(status_code=204)


@router.get("/campaigns/{campaign}/quality-settings", name="quality-settings-read",
            summary="Ngưỡng phát hiện bất thường của chiến dịch", responses=responses(404))
def read_settings(campaign: CampaignRef, session: SessionDep,
                  principal: Reader) -> QualitySettingsPublic:
    return service.read_settings(session, principal, campaign)


@router.put("/campaigns/{campaign}/quality-settings", name="quality-settings-write",
            summary="Đặt ngưỡng phát hiện bất thường", responses=responses(404, 422))
def write_settings(campaign: CampaignRef, data: QualitySettingsIn, session: SessionDep,
                   principal: Manager, now: NowDep) -> QualitySettingsPublic:
    return service.write_settings(session, principal, campaign, data, now)


@router.get("/data-quality", name="data-quality-list", summary="Số liệu cần xác minh (cờ dữ liệu)",
            description="Cờ do quy tắc (khi gửi báo cáo) và do kiểm tra tuần (bất thường, số "
                        "liệu giữ nguyên, mẫu số thay đổi, vượt số liệu chính thức) ghi lại.",
            responses=responses(404, 422))
def list_flags(session: SessionDep, principal: Reader, page: PageDep, campaign: Code = None,
               period: PeriodQuery = None, under: Code = None, unit: Code = None,
               state: FlagState | None = None, kind: FlagKind | None = None) -> Page[FlagPublic]:
    rows, total = service.list_flags(session, principal, campaign=campaign, period=period,
                                     under=under, unit=unit, state=state, kind=kind,
                                     limit=page.limit, offset=page.offset)
    return Page(data=rows, count=total, limit=page.limit, offset=page.offset)


@router.post("/data-quality/scan", name="data-quality-scan",
             summary="Kiểm tra số liệu một tuần (bất thường, mẫu hình)",
             description="Chạy lại bao nhiêu lần cũng được: cờ đã xem giữ nguyên trừ khi số liệu "
                         "của đơn vị thay đổi.", responses=responses(404, 422))
def scan(data: ScanRequest, session: SessionDep, principal: Manager,
         now: NowDep) -> ScanSummary:
    return service.scan(session, principal, data, now)


@router.post("/data-quality/{flag_id}/review", name="data-quality-review",
             summary="Đánh dấu cờ đã xem, kèm ghi chú", responses=responses(404, 422))
def review(flag_id: FlagId, data: FlagReview, session: SessionDep, principal: Manager,
           now: NowDep) -> FlagPublic:
    return service.review_flag(session, principal, flag_id, data.note, now)
