from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, select

from tiendo.audit.models import AuditEvent
from tiendo.auth.models import Role
from tiendo.auth.principal import Action, Principal
from tiendo.core.clock import utcnow
from tiendo.units.models import Unit

_INSERT = AuditEvent.__table__.insert()


def event_row(
    actor: Principal | None,
    action: str,
    object_type: str,
    object_id: Any = None,  # noqa: ANN401
    *,
    unit_id: int | None = None,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
    actor_name: str | None = None,
    address: str | None = None,
) -> dict[str, Any]:
    """An audit row's columns (see `record`)."""
    return {
        "at": at or utcnow(),
        "actor_user_id": actor.user_id if actor else None,
        "actor_token_id": actor.token_id if actor else None,
        "actor_name": actor_name or (actor.name if actor else "system"),
        "address": address or (actor.address if actor else None),
        "action": action,
        "object_type": object_type,
        "object_id": None if object_id is None else str(object_id),
        "unit_id": unit_id,
        "detail": detail or {},
    }


def record(
    session: Session,
    actor: Principal | None,
    action: str,
    object_type: str,
    object_id: Any = None,  # noqa: ANN401
    **event: Any,  # noqa: ANN401 - unit_id, detail, at, actor_name, address (event_row)
) -> None:
    """Adds an audit row to the caller's transaction: it lands if and only if the write does.
    A Core insert: cheaper than the ORM's unit of work, and audit rows are never read back."""
    if session.new or session.dirty or session.deleted:
        session.flush()  # rows the audit row may refer to (units, users) go first
    session.connection().execute(_INSERT, event_row(actor, action, object_type, object_id,
                                                    **event))


def list_events(session: Session, principal: Principal, *, action: str | None,
                object_type: str | None, object_id: str | None, under: str | None,
                since: datetime | None, until: datetime | None, limit: int,
                offset: int) -> tuple[list[AuditEvent], int]:
    """Events filed under the admin's subtrees; events filed under no unit only for admins of
    a root unit (they concern the whole system)."""
    from tiendo.units.service import get_unit

    visible = principal.subtree_filter(Unit.path, Action.admin)
    if principal.user_id is not None and any(
            g.role == Role.admin and g.path.count("/") == 2 for g in principal.grants):
        visible = or_(visible, AuditEvent.unit_id.is_(None))
    stmt = (select(AuditEvent).outerjoin(Unit, Unit.id == AuditEvent.unit_id).where(visible))
    if under:
        path = get_unit(session, principal, under, Action.admin, field="under").path
        stmt = stmt.where(Unit.path.startswith(path, autoescape=True))
    for column, value in ((AuditEvent.action, action), (AuditEvent.object_type, object_type),
                          (AuditEvent.object_id, object_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    if since:
        stmt = stmt.where(AuditEvent.at >= since)
    if until:
        stmt = stmt.where(AuditEvent.at < until)
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(stmt.order_by(AuditEvent.id.desc()).limit(limit).offset(offset)).all()
    return list(rows), total
