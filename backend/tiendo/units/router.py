from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from tiendo.auth.deps import Admin, Reader
from tiendo.core.clock import NowDep
from tiendo.core.contract import ApiRoute
from tiendo.core.pagination import Page, PageDep
from tiendo.db import SessionDep
from tiendo.errors import responses
from tiendo.units import service
from tiendo.units.models import UnitKind
from tiendo.units.schemas import UnitClose, UnitContact, UnitCreate, UnitPublic, UnitUpdate


def with_lineage(session, units: list[UnitPublic]) -> list[UnitPublic]:  # noqa: ANN001
    """Adds "thành lập từ …" / "đã sáp nhập vào …" from applied reorganisations."""
    from tiendo.reorg.service import lineage_of

    links = lineage_of(session, [u.id for u in units])
    for u in units:
        u.formed_from, u.merged_into = links[u.id]
    return units


router = APIRouter(prefix="/units", tags=["units"], responses=responses(401, 403),
                   route_class=ApiRoute)
UnitRef = Annotated[str, Path(max_length=64, description="Id hoặc mã đơn vị")]


@router.get("", name="units-list", summary="Danh sách đơn vị trong phạm vi được xem",
            responses=responses(404, 422))
def list_units(
    session: SessionDep, principal: Reader, page: PageDep,
    parent: Annotated[str | None, Query(max_length=64, description="Id hoặc mã đơn vị cha")] = None,
    under: Annotated[str | None, Query(max_length=64,
                                       description="Id hoặc mã: đơn vị này và mọi cấp dưới")] = None,
    kind: UnitKind | None = None,
    q: Annotated[str | None, Query(max_length=100, description="Tìm theo tên hoặc mã")] = None,
    active: bool | None = None,
    code: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[UnitPublic]:
    rows, total = service.list_units(session, principal, parent=parent, kind=kind, under=under,
                                     q=q, active=active, code=code, limit=page.limit,
                                     offset=page.offset)
    return Page(data=with_lineage(session, [service.unit_public(r, principal) for r in rows]),
                count=total, limit=page.limit, offset=page.offset)


@router.post("", name="units-create", status_code=201, summary="Tạo đơn vị",
             responses=responses(404, 409, 422))
def create_unit(data: UnitCreate, session: SessionDep, principal: Admin,
                now: NowDep) -> UnitPublic:
    return service.unit_public(service.create_unit(session, principal, data, now), principal)


@router.get("/{unit}", name="units-read", summary="Xem một đơn vị (theo id hoặc mã)",
            responses=responses(404))
def read_unit(unit: UnitRef, session: SessionDep, principal: Reader) -> UnitPublic:
    return with_lineage(session, [service.unit_public(service.get_unit(session, principal, unit),
                                                      principal)])[0]


@router.patch("/{unit}", name="units-update", summary="Sửa hoặc chuyển đơn vị",
              responses=responses(404, 409, 422))
def update_unit(unit: UnitRef, data: UnitUpdate, session: SessionDep, principal: Admin,
                now: NowDep) -> UnitPublic:
    return service.unit_public(service.update_unit(session, principal, unit, data, now),
                               principal)


@router.post("/{unit}/deactivate", name="units-deactivate",
             summary="Ngừng hoạt động đơn vị và mọi cấp dưới từ một ngày (giữ lịch sử)",
             responses=responses(404, 409, 422))
def deactivate_unit(unit: UnitRef, session: SessionDep, principal: Admin, now: NowDep,
                    data: UnitClose | None = None) -> UnitPublic:
    return service.unit_public(service.deactivate_unit(session, principal, unit, now, data),
                               principal)


@router.put("/{unit}/contact", name="units-contact-set",
            summary="Đặt người báo cáo của đơn vị (tên, chức vụ, điện thoại, e-mail, Zalo)",
            responses=responses(404, 422))
def set_contact(unit: UnitRef, contact: UnitContact, session: SessionDep, principal: Admin,
                now: NowDep) -> UnitPublic:
    return service.unit_public(service.set_contact(session, principal, unit, contact, now),
                               principal)


@router.delete("/{unit}", name="units-delete", status_code=204,
               summary="Xoá đơn vị chưa có dữ liệu nào", responses=responses(404, 409))
def delete_unit(unit: UnitRef, session: SessionDep, principal: Admin, now: NowDep) -> Response:
    service.delete_unit(session, principal, unit, now)
    return Response(status_code=204)
