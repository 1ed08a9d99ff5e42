from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from tiendo.auth.deps import Admin
from tiendo.core.clock import NowDep
from tiendo.core.contract import ApiRoute
from tiendo.core.pagination import Page, PageDep
from tiendo.db import SessionDep
from tiendo.directory.sheet import XLSX_MEDIA
from tiendo.errors import responses
from tiendo.reorg import service
from tiendo.reorg.schemas import ReorganizationCreate, ReorganizationPublic
from tiendo.reorg.sheet import reorg_template

router = APIRouter(prefix="/reorganizations", tags=["reorganizations"],
                   responses=responses(401, 403), route_class=ApiRoute)


@router.post("", name="reorganizations-create", status_code=201,
             summary="Sắp xếp đơn vị: sáp nhập, chia tách, đổi tên, chuyển (chạy thử trước)",
             responses=responses(404, 409, 422))
def create(data: ReorganizationCreate, session: SessionDep, principal: Admin, now: NowDep,
           response: Response,
           dry_run: Annotated[bool, Query(description="Chỉ cho biết sẽ thay đổi gì, không ghi")]
           = False) -> ReorganizationPublic:
    if dry_run:
        response.status_code = 200
    return service.apply(session, principal, data, now, dry_run=dry_run)


@router.get("/template", name="reorganizations-template", response_class=Response,
            summary="Tải mẫu sắp xếp đơn vị (.xlsx) cho lệnh `tiendo reorganize`",
            responses={200: {"content": {XLSX_MEDIA: {}}, "description": "Tệp mẫu .xlsx"}})
def template(principal: Admin) -> Response:
    return Response(reorg_template(), media_type=XLSX_MEDIA, headers={
        "Content-Disposition": 'attachment; filename="mau-sap-xep-don-vi.xlsx"'})


@router.get("", name="reorganizations-list", summary="Các đợt sắp xếp đơn vị")
def list_all(session: SessionDep, principal: Admin, page: PageDep
             ) -> Page[ReorganizationPublic]:
    rows, total = service.list_reorganizations(session, principal, page.limit, page.offset)
    return Page(data=rows, count=total, limit=page.limit, offset=page.offset)


@router.get("/{reorganization}", name="reorganizations-read", summary="Xem một đợt sắp xếp",
            responses=responses(404))
def read(reorganization: Annotated[int, Path(ge=1, le=2**31 - 1)], session: SessionDep,
         principal: Admin) -> ReorganizationPublic:
    from tiendo.reorg.summary import summary_of

    return summary_of(session, service.get_reorganization(session, principal, reorganization))


@router.post("/{reorganization}/undo", name="reorganizations-undo",
             summary="Hoàn tác đợt sắp xếp (khi chưa đơn vị mới nào báo cáo)",
             responses=responses(404, 409))
def undo(reorganization: Annotated[int, Path(ge=1, le=2**31 - 1)], session: SessionDep,
         principal: Admin, now: NowDep) -> ReorganizationPublic:
    return service.undo(session, principal, reorganization, now)
