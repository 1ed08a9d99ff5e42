from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from tiendo.auth.deps import OfficialWriter, Reader
from tiendo.core.clock import NowDep
from tiendo.core.contract import ApiRoute
from tiendo.core.pagination import Page, PageDep
from tiendo.db import SessionDep
from tiendo.errors import responses
from tiendo.official import service
from tiendo.official.schemas import OfficialCountCreate, OfficialCountPublic

router = APIRouter(prefix="/official-counts", tags=["official-counts"],
                   responses=responses(401, 403), route_class=ApiRoute)


@router.post("", name="official-counts-create", status_code=201,
             summary="Ghi số liệu chính thức từ nguồn bên ngoài",
             description="Token tích hợp có quyền `official-counts:write`, hoặc người quản lý. "
                         "Mỗi nguồn × đơn vị × chỉ số × phút là một số liệu: gửi lại cùng số "
                         "liệu trả về 200 và không thay đổi gì; gửi giá trị khác thì sửa lại.",
             responses={**responses(404, 422), 200: {"model": OfficialCountPublic,
                                                     "description": "Đã có (hoặc đã sửa)"}})
def create_official_count(data: OfficialCountCreate, session: SessionDep,
                          principal: OfficialWriter, now: NowDep,
                          response: Response) -> OfficialCountPublic:
    out, outcome = service.record_count(session, principal, data, now)
    if outcome != service.Outcome.created:
        response.status_code = 200
    return out


@router.get("", name="official-counts-list", summary="Số liệu chính thức trong phạm vi",
            responses=responses(404, 422))
def list_official_counts(
    session: SessionDep, principal: Reader, page: PageDep,
    campaign: Annotated[str | None, Query(max_length=64)] = None,
    unit: Annotated[str | None, Query(max_length=64)] = None,
    under: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[OfficialCountPublic]:
    rows, total = service.list_counts(session, principal, campaign=campaign, unit=unit,
                                      under=under, limit=page.limit, offset=page.offset)
    return Page(data=rows, count=total, limit=page.limit, offset=page.offset)
