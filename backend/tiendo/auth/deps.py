"""Dependencies that say, in a route's signature, who may call it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, OAuth2PasswordBearer
from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from tiendo.auth.models import ApiToken, Role, RoleAssignment, User
from tiendo.auth.principal import ACTION_SCOPE, Action, Grant, Principal
from tiendo.auth.security import TOKEN_PREFIX, decode_access_token, hash_api_token
from tiendo.core.clock import NowDep
from tiendo.db import SessionDep
from tiendo.errors import Forbidden, Unauthorized
from tiendo.units.models import Unit

# Both read the same `Authorization: Bearer …` header; declaring both gives /docs a log-in form
# for people and a field to paste an integration token into. Routes no token can ever use
# (administration, management, the user's own account) declare only the log-in scheme.
oauth2_scheme = OAuth2PasswordBearer(
    tokenUrl="/api/v1/auth/token",
    auto_error=False,
    scheme_name="Login",
    description="Đăng nhập bằng tài khoản (tên đăng nhập, mật khẩu).",
)
integration_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="IntegrationToken",
    description="Token tích hợp (tdk_…), chỉ có các quyền (scope) và phạm vi đơn vị đã cấp. "
                "Quyền đọc cần scope `read`; `reports:write` chỉ cho gửi và sửa báo cáo.",
)

LAST_USED_STEP = timedelta(minutes=1)
# The user and their roles in one query, built once: this runs on every request.
_USER_AND_ROLES = (
    sa_select(User.full_name, User.active, User.token_generation, RoleAssignment.role,
              Unit.id, Unit.path)
    .outerjoin(RoleAssignment, RoleAssignment.user_id == User.id)
    .outerjoin(Unit, (Unit.id == RoleAssignment.unit_id) & Unit.active)
    .where(User.id == bindparam("user"))
)


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def get_principal(
    request: Request,
    session: SessionDep,
    now: NowDep,
    login_token: Annotated[str | None, Depends(oauth2_scheme)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(integration_scheme)],
) -> Principal:
    return _look_up(request, session, now, _read_token(
        login_token or (bearer.credentials if bearer else None), now))


def get_user_principal(
    request: Request,
    session: SessionDep,
    now: NowDep,
    login_token: Annotated[str | None, Depends(oauth2_scheme)],
) -> Principal:
    """The same check, declared with the log-in scheme only: an integration token sent here is
    still recognised, and then refused with 403 by the role check."""
    return _look_up(request, session, now, _read_token(login_token, now))


@dataclass(frozen=True)
class _Token:
    api_token: str | None = None  # an integration token (tdk_…), looked up by its hash
    user_id: int | None = None  # a log-in session's user …
    generation: object = None  # … and the token generation it was issued under


def _read_token(token: str | None, now: datetime) -> _Token:
    """What the header says, checked as far as it can be without the database (401 if not)."""
    if not token:
        raise Unauthorized()
    if token.startswith(TOKEN_PREFIX):
        return _Token(api_token=token)
    payload = decode_access_token(token, now)
    if payload is None:
        raise Unauthorized("Phiên đăng nhập không hợp lệ hoặc đã hết hạn.", code="invalid_token")
    if not str(payload["sub"]).isdigit():
        raise Unauthorized("Phiên đăng nhập không còn hiệu lực.", code="invalid_token")
    return _Token(user_id=int(payload["sub"]), generation=payload.get("gen"))


def _look_up(request: Request, session: Session, now: datetime, token: _Token) -> Principal:
    """The caller as the database knows them now (401 if unknown, revoked, expired, inactive)."""
    address = client_address(request)
    if token.api_token is not None:
        row = session.exec(
            select(ApiToken, Unit.path, Unit.active).join(Unit, Unit.id == ApiToken.unit_id)
            .where(ApiToken.token_hash == hash_api_token(token.api_token))
        ).first()
        if row is None or not row[2]:  # unknown, or its unit has been closed
            raise Unauthorized("Token không hợp lệ.", code="invalid_token")
        api_token, path, _ = row
        if api_token.revoked_at is not None:
            raise Unauthorized("Token đã bị thu hồi.", code="token_revoked")
        if api_token.expires_at is not None and api_token.expires_at <= now:
            raise Unauthorized("Token đã hết hạn.", code="token_expired")
        # A write per request would cost every integration call; a minute's precision is enough.
        if api_token.last_used_at is None or now - api_token.last_used_at >= LAST_USED_STEP:
            api_token.last_used_at = now
            session.add(api_token)
        request.state.principal = principal = Principal(
            name=f"token:{api_token.name}",
            grants=[Grant(Role.viewer, api_token.unit_id, path)],
            token_id=api_token.id,
            scopes=frozenset(api_token.scopes),
            address=address,
        )
        return principal
    rows = session.connection().execute(_USER_AND_ROLES, {"user": token.user_id}).all()
    if not rows or not rows[0][1] or token.generation != rows[0][2]:
        raise Unauthorized("Phiên đăng nhập không còn hiệu lực.", code="invalid_token")
    grants = [Grant(Role(role), uid, path) for _, _, _, role, uid, path in rows if uid is not None]
    request.state.principal = principal = Principal(  # the request log names it
        name=rows[0][0], grants=grants, user_id=token.user_id, address=address)
    return principal


@dataclass(frozen=True)
class PendingPrincipal:
    """A caller whose token has been read but not yet looked up, and the actions the route
    requires: `resolve` finishes the check in the route's own thread, with its session (see
    tiendo.core.contract), so that a route runs in one hop to the thread pool, not two."""

    request: Request
    now: datetime
    token: _Token
    actions: tuple[Action, ...]

    def resolve(self, session: Session) -> Principal:
        return _allowed(_look_up(self.request, session, self.now, self.token), self.actions)


def _allowed(principal: Principal, actions: tuple[Action, ...]) -> Principal:
    if not all(principal.can_anywhere(action) for action in actions):
        raise Forbidden()
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
UserPrincipal = Annotated[Principal, Depends(get_user_principal)]


def require(*actions: Action) -> Callable[[Principal], Principal]:
    """A dependency that lets through only principals holding every one of `actions`
    somewhere; the object itself is checked again in the service. Actions no token scope
    grants declare only the log-in scheme (tiendo.core.contract reads `required_actions` for
    the schema). Its `deferred` twin reads the token only (no database): a `def` route with a
    session takes it instead and resolves it in its own thread (tiendo.core.contract)."""
    if all(action in ACTION_SCOPE for action in actions):
        async def dependency(principal: CurrentPrincipal) -> Principal:  # async: no thread hop
            return _allowed(principal, actions)

        async def deferred(
            request: Request, now: NowDep,
            login_token: Annotated[str | None, Depends(oauth2_scheme)],
            bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(integration_scheme)],
        ) -> PendingPrincipal:
            token = login_token or (bearer.credentials if bearer else None)
            return PendingPrincipal(request, now, _read_token(token, now), actions)
    else:
        async def dependency(principal: UserPrincipal) -> Principal:  # log-ins only
            return _allowed(principal, actions)

        async def deferred(  # type: ignore[misc]
            request: Request, now: NowDep,
            login_token: Annotated[str | None, Depends(oauth2_scheme)],
        ) -> PendingPrincipal:
            return PendingPrincipal(request, now, _read_token(login_token, now), actions)

    dependency.required_actions = actions  # type: ignore[attr-defined]
    dependency.deferred = deferred  # type: ignore[attr-defined]
    return dependency


Reader = Annotated[Principal, Depends(require(Action.read))]
ReportWriter = Annotated[Principal, Depends(require(Action.report_write))]
# Writing that also reads (the prefilled import template, the list of weeks due): a token needs
# both `reports:write` and `read`, as README says `reports:write` alone reads nothing.
ReportWriterReader = Annotated[Principal, Depends(require(Action.report_write, Action.read))]
OfficialWriter = Annotated[Principal, Depends(require(Action.official_write))]
Manager = Annotated[Principal, Depends(require(Action.manage))]
Admin = Annotated[Principal, Depends(require(Action.admin))]


def current_user(principal: UserPrincipal, session: SessionDep) -> User:
    """Routes about the person logged in (me, password) refuse integration tokens."""
    if principal.user_id is None:
        raise Forbidden("Chỉ dành cho người dùng đăng nhập.", code="user_required")
    user = session.get(User, principal.user_id)
    assert user is not None
    return user


current_user.users_only = True  # type: ignore[attr-defined]
CurrentUser = Annotated[User, Depends(current_user)]
