from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from tiendo.auth.deps import Admin, Manager, Reader
from tiendo.campaigns import clone, service
from tiendo.campaigns.schemas import (
    BaselinePublic,
    BaselineSet,
    CampaignClone,
    CampaignCreate,
    CampaignPublic,
    CampaignUpdate,
    MetricIn,
    MetricPublic,
    MetricUpdate,
    TargetCreate,
    TargetPublic,
    TargetUpdate,
)
from tiendo.core.clock import NowDep
from tiendo.core.contract import ApiRoute
from tiendo.core.pagination import Page, PageDep
from tiendo.db import SessionDep
from tiendo.errors import responses

router = APIRouter(responses=responses(401, 403), route_class=ApiRoute)
CampaignRef = Annotated[str, Path(max_length=64, description="Id hoặc mã chiến dịch")]
TargetId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/campaigns", name="campaigns-list", tags=["campaigns"],
            summary="Các chiến dịch trong phạm vi được xem")
def list_campaigns(session: SessionDep, principal: Reader, page: PageDep) -> Page[CampaignPublic]:
    rows = Page.of(service.list_campaigns(session, principal), page)
    return Page(data=[service.campaign_public(session, c) for c in rows.data], count=rows.count,
                limit=page.limit, offset=page.offset)


@router.post("/campaigns", name="campaigns-create", tags=["campaigns"], status_code=201,
             summary="Tạo chiến dịch cùng các chỉ số (quản lý của đơn vị chủ trì)",
             responses=responses(404, 409, 422))
def create_campaign(data: CampaignCreate, session: SessionDep, principal: Manager,
                    now: NowDep) -> CampaignPublic:
    return service.campaign_public(session, service.create_campaign(session, principal, data, now))


@router.get("/campaigns/{campaign}", name="campaigns-read", tags=["campaigns"],
            summary="Xem chiến dịch", responses=responses(404))
def read_campaign(campaign: CampaignRef, session: SessionDep, principal: Reader) -> CampaignPublic:
    return service.campaign_public(session, service.get_campaign(session, principal, campaign))


@router.patch("/campaigns/{campaign}", name="campaigns-update", tags=["campaigns"],
              summary="Sửa thiết lập chiến dịch (quản lý của đơn vị chủ trì)",
              responses=responses(404, 422))
def update_campaign(campaign: CampaignRef, data: CampaignUpdate, session: SessionDep,
                    principal: Manager, now: NowDep) -> CampaignPublic:
    updated = service.update_campaign(session, principal, campaign, data, now)
    return service.campaign_public(session, updated)


@router.post("/campaigns/{campaign}/clone", name="campaigns-clone", tags=["campaigns"],
             status_code=201,
             summary="Tạo chiến dịch mới từ một chiến dịch cũ (chỉ số, chỉ tiêu, hạn dời theo "
                     "ngày bắt đầu, tuỳ chọn chép số liệu nền)",
             responses=responses(404, 409, 422))
def clone_campaign(campaign: CampaignRef, data: CampaignClone, session: SessionDep,
                   principal: Manager, now: NowDep) -> CampaignPublic:
    return service.campaign_public(session, clone.clone_campaign(session, principal, campaign,
                                                                 data, now))


@router.post("/campaigns/{campaign}/metrics", name="metrics-create", tags=["campaigns"],
             status_code=201, summary="Thêm chỉ số", responses=responses(404, 409, 422))
def add_metric(campaign: CampaignRef, data: MetricIn, session: SessionDep, principal: Admin,
               now: NowDep) -> MetricPublic:
    return MetricPublic.model_validate(service.add_metric(session, principal, campaign, data, now))


@router.patch("/campaigns/{campaign}/metrics/{metric}", name="metrics-update", tags=["campaigns"],
              summary="Sửa chỉ số", responses=responses(404, 422))
def update_metric(campaign: CampaignRef, metric: Annotated[str, Path(max_length=64)],
                  data: MetricUpdate, session: SessionDep, principal: Admin,
                  now: NowDep) -> MetricPublic:
    updated = service.update_metric(session, principal, campaign, metric, data, now)
    return MetricPublic.model_validate(updated)


@router.get("/targets", name="targets-list", tags=["targets"], summary="Danh sách chỉ tiêu",
            responses=responses(404))
def list_targets(session: SessionDep, principal: Reader, page: PageDep,
                 campaign: Annotated[str | None, Query(max_length=64)] = None,
                 ) -> Page[TargetPublic]:
    rows = Page.of(service.list_targets(session, principal, campaign), page)
    return Page(data=[service.target_public(session, t) for t in rows.data], count=rows.count,
                limit=page.limit, offset=page.offset)


@router.post("/targets", name="targets-create", tags=["targets"], status_code=201,
             summary="Đặt chỉ tiêu", responses=responses(404, 409, 422))
def create_target(data: TargetCreate, session: SessionDep, principal: Manager,
                  now: NowDep) -> TargetPublic:
    return service.target_public(session, service.create_target(session, principal, data, now))


@router.get("/targets/{target_id}", name="targets-read", tags=["targets"],
            summary="Xem chỉ tiêu", responses=responses(404))
def read_target(target_id: TargetId, session: SessionDep, principal: Reader) -> TargetPublic:
    return service.target_public(session, service.get_target(session, principal, target_id))


@router.patch("/targets/{target_id}", name="targets-update", tags=["targets"],
              summary="Sửa chỉ tiêu", responses=responses(404, 422))
def update_target(target_id: TargetId, data: TargetUpdate, session: SessionDep,
                  principal: Manager, now: NowDep) -> TargetPublic:
    updated = service.update_target(session, principal, target_id, data, now)
    return service.target_public(session, updated)


@router.delete("/targets/{target_id}", name="targets-delete", tags=["targets"], status_code=204,
               summary="Xoá chỉ tiêu", responses=responses(404))
def delete_target(target_id: TargetId, session: SessionDep, principal: Manager,
                  now: NowDep) -> Response:
    service.delete_target(session, principal, target_id, now)
    return Response(status_code=204)


@router.get("/baselines", name="baselines-list", tags=["targets"],
            summary="Số liệu nền (ví dụ dân số) của các đơn vị", responses=responses(404))
def list_baselines(session: SessionDep, principal: Reader, page: PageDep,
                   campaign: Annotated[str, Query(max_length=64)],
                   under: Annotated[str | None, Query(max_length=64)] = None,
                   ) -> Page[BaselinePublic]:
    rows, total = service.list_baselines(session, principal, campaign, under, page.limit,
                                         page.offset)
    return Page(data=rows, count=total, limit=page.limit, offset=page.offset)


@router.put("/baselines", name="baselines-set", tags=["targets"],
            summary="Đặt số liệu nền cho một đơn vị", responses=responses(404, 422))
def set_baseline(data: BaselineSet, session: SessionDep, principal: Manager,
                 now: NowDep) -> BaselinePublic:
    return service.set_baseline(session, principal, data, now)
