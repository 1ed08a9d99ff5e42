from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor_user_id: int | None
    actor_token_id: int | None
    actor_name: str
    address: str | None
    action: str
    object_type: str
    object_id: str | None
    unit_id: int | None
    detail: dict[str, Any]
