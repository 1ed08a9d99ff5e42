"""Idempotency-Key for writing POSTs: a retry with the same key and body gets the first answer
and writes nothing more; the same key with another body is refused.

The key's row is inserted before the work and filled in after it, in the request's own
transaction: it exists if and only if the write committed. A concurrent twin blocks on the
unique (principal, key) until the first commits (PostgreSQL) or waits for the write lock
(SQLite), then replays the stored answer."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from tiendo.auth.principal import Principal
from tiendo.cycle.models import IdempotencyKey
from tiendo.errors import Conflict, Invalid

REPLAY_HEADER = "Idempotent-Replayed"


class Idempotency:
    def __init__(self, key: str | None, request: Request) -> None:
        self.key, self.request = key, request
        # The path as routed (request.url would build a whole URL on every writing request).
        self.method, self.path = request.method, request.scope["path"]
        self.row: IdempotencyKey | None = None

    @property
    def scope(self) -> str:
        # The route's own access check has put the caller there before the body runs; not a
        # dependency of its own, so that the route declares only the log-in schemes it accepts.
        principal: Principal = self.request.state.principal
        return f"token:{principal.token_id}" if principal.is_token else f"user:{principal.user_id}"

    def _find(self, session: Session) -> IdempotencyKey | None:
        return session.exec(select(IdempotencyKey).where(
            IdempotencyKey.principal == self.scope, IdempotencyKey.key == self.key)).first()

    def replay(self, session: Session, fingerprint: BaseModel | bytes | str,
               ) -> JSONResponse | None:
        """The stored answer for a retry, or None (then call `respond` with the new answer).
        `fingerprint`: what makes the request this one (a body is dumped only when a key is
        given: a 10,000-item post takes ~5 ms to dump)."""
        if self.key is None:
            return None
        if isinstance(fingerprint, BaseModel):
            fingerprint = fingerprint.model_dump_json()
        raw = fingerprint.encode() if isinstance(fingerprint, str) else fingerprint
        digest = hashlib.sha256(f"{self.method} {self.path}\n".encode() + raw).hexdigest()
        row = self._find(session)
        if row is None:
            try:
                with session.begin_nested():
                    row = IdempotencyKey(principal=self.scope, key=self.key,
                                         request_hash=digest)
                    session.add(row)
                    session.flush()
                self.row = row
                return None
            except IntegrityError:
                row = self._find(session)  # a concurrent twin committed first
        if row is None or row.status_code == 0:
            raise Conflict("Một yêu cầu khác với cùng Idempotency-Key đang được xử lý.",
                           field="Idempotency-Key", code="idempotency_in_progress")
        if row.request_hash != digest:
            raise Invalid("Idempotency-Key này đã được dùng cho một yêu cầu khác; "
                          "hãy dùng khoá mới cho yêu cầu mới.", field="Idempotency-Key",
                          code="idempotency_key_reused")
        return JSONResponse(row.response_body, status_code=row.status_code,
                            headers={**row.response_headers, REPLAY_HEADER: "true"})

    def respond(self, session: Session, status: int, content: Any,
                headers: dict[str, str] | None = None) -> JSONResponse:
        """The answer, stored with the key (if any) in the same transaction as the write."""
        body = (content.model_dump(mode="json") if isinstance(content, BaseModel)
                else jsonable_encoder(content))
        if self.row is not None:
            self.row.status_code = status
            self.row.response_body = body
            self.row.response_headers = dict(headers or {})
            session.add(self.row)
        return JSONResponse(body, status_code=status, headers=headers)


async def idempotency(  # async: no thread hop
    request: Request,
    idempotency_key: Annotated[str | None, Header(
        alias="Idempotency-Key", min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$",
        description="Khoá do bên gọi tạo (ví dụ UUID): gửi lại cùng khoá và cùng nội dung "
                    "sẽ nhận lại đúng câu trả lời đầu tiên, không ghi thêm.")] = None,
) -> Idempotency:
    return Idempotency(idempotency_key, request)


IdempotencyDep = Annotated[Idempotency, Depends(idempotency)]
