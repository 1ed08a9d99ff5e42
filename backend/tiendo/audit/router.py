from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from tiendo.audit import service
from tiendo.audit.schemas import AuditPublic
from tiendo.auth.deps import Admin
from tiendo.core.contract import ApiRoute
from tiendo.core.pagination import Page, PageDep
from tiendo.core.types import Timestamp
from tiendo.db import SessionDep
from tiendo.errors import responses

router = APIRouter(tags=["audit"], route_class=ApiRoute)


@router.get("/audit", name="audit-list", summary="Nhật ký thao tác trong phạm vi quản trị",
            description="Mới nhất trước. Sự kiện không gắn với đơn vị nào (đăng nhập sai bằng "
                        "tên không tồn tại) chỉ quản trị viên của đơn vị gốc thấy.",
            responses=responses(401, 403, 404, 422))
def list_audit(
    session: SessionDep, principal: Admin, page: PageDep,
    action: Annotated[str | None, Query(max_length=64)] = None,
    object_type: Annotated[str | None, Query(max_length=32)] = None,
    object_id: Annotated[str | None, Query(max_length=64)] = None,
    under: Annotated[str | None, Query(max_length=64, description="Id hoặc mã đơn vị")] = None,
    since: Timestamp | None = None,
    until: Timestamp | None = None,
) -> Page[AuditPublic]:
    rows, total = service.list_events(
        session, principal, action=action, object_type=object_type, object_id=object_id,
        under=under, since=since, until=until, limit=page.limit, offset=page.offset)
    return Page(data=[AuditPublic.model_validate(r) for r in rows], count=total,
                limit=page.limit, offset=page.offset)
