from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from tiendo.audit.models import AuditEvent
from tiendo.auth.principal import Principal
from tiendo.core.clock import utcnow


def record(
    session: Session,
    actor: Principal | None,
    action: str,
    object_type: str,
    object_id: Any = None,
    *,
    unit_id: int | None = None,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
    actor_name: str | None = None,
    address: str | None = None,
) -> None:
    """Adds an audit row to the caller's transaction: it lands if and only if the write does.
    A Core insert: cheaper than the ORM's unit of work, and audit rows are never read back."""
    session.flush()  # rows the audit row may refer to (units, users) go first
    session.connection().execute(AuditEvent.__table__.insert(), {
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
    })
