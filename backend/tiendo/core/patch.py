"""The one way PATCH bodies treat a missing field and a null.

A field left out stays as it is (services apply `model_dump(exclude_unset=True)`). A field that
may be cleared is typed `X | None`: null clears it. Every other field is typed `X` with the
default `KEEP`, so the schema does not admit null for it and an explicit null is a 422 naming
the field, in the one error shape, like any other wrong type (never a 500, never ignored)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

# The default of a field that may be left out but not set to null. It is never validated
# (pydantic does not validate defaults) and never applied (it is not in `model_fields_set`).
KEEP: Any = None


class PatchBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
