"""Log-in, users and their roles, integration tokens."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_
from sqlmodel import Session, select

from tiendo.audit.service import record
from tiendo.auth.models import ApiToken, LoginFailure, Role, RoleAssignment, User
from tiendo.auth.principal import Action, Principal
from tiendo.auth.schemas import (
    ApiTokenCreated,
    ApiTokenPublic,
    PasswordChange,
    PasswordReset,
    RoleGrant,
    RolePublic,
    TokenCreate,
    UserCreate,
    UserPublic,
    UserUpdate,
)
from tiendo.auth.security import (
    create_access_token,
    hash_password,
    new_api_token,
    verify_password,
)
from tiendo.config import get_settings
from tiendo.errors import Conflict, Forbidden, Invalid, NotFound, TooManyRequests, Unauthorized
from tiendo.units.models import Unit
from tiendo.units.service import get_unit


# --- log-in ----------------------------------------------------------------------------------
def _recent_failures(session: Session, username: str, address: str, now: datetime) -> int:
    since = now - timedelta(seconds=get_settings().login_window_seconds)
    by_user = session.exec(select(func.count()).select_from(LoginFailure).where(
        LoginFailure.username == username, LoginFailure.at > since)).one()
    by_address = session.exec(select(func.count()).select_from(LoginFailure).where(
        LoginFailure.address == address, LoginFailure.at > since)).one()
    # An address may try several accounts (a shared office connection), so it gets more room.
    return max(by_user, by_address // 4)


def _record_failure(session: Session, username: str, address: str, now: datetime,
                    user: User | None) -> None:
    """Written in the request's transaction, which the refusal then commits (keep_writes):
    a second connection could not write on SQLite while this request holds the write lock."""
    session.add(LoginFailure(username=username[:64], address=address[:64], at=now))
    unit_id = None
    if user is not None:
        unit_id = session.exec(select(RoleAssignment.unit_id)
                               .where(RoleAssignment.user_id == user.id)).first()
    record(session, None, "auth.login_failed", "user", user.id if user else None,
           unit_id=unit_id, detail={"username": username[:64]}, at=now,
           actor_name=username[:64], address=address)


def login(session: Session, username: str, password: str, address: str | None,
          now: datetime) -> tuple[str, int]:
    settings = get_settings()
    address = address or "unknown"
    username = username.strip().lower()
    if _recent_failures(session, username, address, now) >= settings.login_max_failures:
        raise TooManyRequests(
            "Đăng nhập sai quá nhiều lần; vui lòng thử lại sau vài phút.",
            headers={"Retry-After": str(settings.login_window_seconds)})
    user = session.exec(select(User).where(User.username == username)).first()
    ok = verify_password(password, user.password_hash if user else None)
    if not ok or user is None or not user.active:
        _record_failure(session, username, address, now, user)
        refusal = Unauthorized("Sai tên đăng nhập hoặc mật khẩu.", code="invalid_credentials")
        refusal.keep_writes = True
        raise refusal
    session.exec(delete(LoginFailure).where(LoginFailure.username == username))
    unit_id = session.exec(select(RoleAssignment.unit_id)
                           .where(RoleAssignment.user_id == user.id)).first()
    actor = Principal(name=user.full_name, grants=[], user_id=user.id, address=address)
    record(session, actor, "auth.login", "user", user.id, unit_id=unit_id, at=now)
    return create_access_token(user.id, user.token_generation, now)


def change_password(session: Session, principal: Principal, user: User, data: PasswordChange,
                    now: datetime) -> None:
    if not verify_password(data.current_password, user.password_hash):
        raise Invalid("Mật khẩu hiện tại không đúng.", field="current_password",
                      code="wrong_password")
    user.password_hash = hash_password(data.new_password)
    user.token_generation += 1
    session.add(user)
    record(session, principal, "user.password_change", "user", user.id, at=now)


# --- users -----------------------------------------------------------------------------------
def roles_of(session: Session, user_ids: list[int]) -> dict[int, list[RolePublic]]:
    out: dict[int, list[RolePublic]] = {uid: [] for uid in user_ids}
    rows = session.exec(select(RoleAssignment, Unit).join(Unit, Unit.id == RoleAssignment.unit_id)
                        .where(RoleAssignment.user_id.in_(user_ids))
                        .order_by(Unit.path)).all()
    for ra, unit in rows:
        out[ra.user_id].append(RolePublic(role=ra.role, unit_id=unit.id, unit=unit.code,
                                          unit_name=unit.name))
    return out


def user_public(session: Session, users: list[User]) -> list[UserPublic]:
    roles = roles_of(session, [u.id for u in users])
    return [UserPublic(id=u.id, username=u.username, full_name=u.full_name, email=u.email,
                       phone=u.phone, active=u.active, created_at=u.created_at,
                       roles=roles[u.id]) for u in users]


def _resolve_grants(session: Session, principal: Principal | None,
                    grants: list[RoleGrant]) -> list[tuple[Role, Unit]]:
    out = []
    for i, g in enumerate(grants):
        if principal is None:
            unit = session.exec(select(Unit).where(Unit.code == g.unit)).first()
            if unit is None:
                raise NotFound("Không tìm thấy đơn vị.", field=f"roles.{i}.unit")
        else:
            unit = get_unit(session, principal, g.unit, Action.admin, field=f"roles.{i}.unit")
        out.append((g.role, unit))
    return out


def _unique(grants: list[tuple[Role, Unit]]) -> list[tuple[Role, Unit]]:
    return list({(role, unit.id): (role, unit) for role, unit in grants}.values())


def insert_user(session: Session, data: UserCreate, grants: list[tuple[Role, Unit]],
                now: datetime) -> User:
    if session.exec(select(User).where(User.username == data.username)).first():
        raise Conflict(f"Tên đăng nhập '{data.username}' đã có.", field="username",
                       code="user_exists")
    user = User(username=data.username, full_name=data.full_name, email=data.email,
                phone=data.phone, password_hash=hash_password(data.password), created_at=now)
    session.add(user)
    session.flush()
    for role, unit in _unique(grants):
        session.add(RoleAssignment(user_id=user.id, role=role, unit_id=unit.id))
    session.flush()
    return user


def create_user(session: Session, principal: Principal | None, data: UserCreate,
                now: datetime) -> User:
    grants = _resolve_grants(session, principal, data.roles)
    user = insert_user(session, data, grants, now)
    record(session, principal, "user.create", "user", user.id, unit_id=grants[0][1].id,
           detail={"username": user.username,
                   "roles": [{"role": r, "unit": u.code} for r, u in grants]}, at=now)
    return user


def _managed_user_filter(principal: Principal):  # noqa: ANN202
    """Users any of whose roles sits inside one of the admin's subtrees."""
    inside = select(RoleAssignment.user_id).join(Unit, Unit.id == RoleAssignment.unit_id).where(
        principal.subtree_filter(Unit.path, Action.admin))
    return User.id.in_(inside)


def get_user(session: Session, principal: Principal, user_id: int, *, write: bool = False) -> User:
    user = session.exec(select(User).where(User.id == user_id,
                                           _managed_user_filter(principal))).first()
    if user is None:
        raise NotFound("Không tìm thấy người dùng.", code="user_not_found")
    if write:
        # Changing someone who also holds roles outside my subtrees would reach beyond it.
        paths = session.exec(select(Unit.path).join(RoleAssignment,
                                                    RoleAssignment.unit_id == Unit.id)
                             .where(RoleAssignment.user_id == user_id)).all()
        if not all(principal.can(Action.admin, p) for p in paths):
            raise Forbidden("Người dùng này còn có vai trò ngoài phạm vi của bạn.")
    return user


def list_users(session: Session, principal: Principal, q: str | None, limit: int,
               offset: int) -> tuple[list[User], int]:
    stmt = select(User).where(_managed_user_filter(principal))
    if q:
        stmt = stmt.where(or_(func.lower(User.username).contains(q.lower(), autoescape=True),
                              func.lower(User.full_name).contains(q.lower(), autoescape=True)))
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    return list(session.exec(stmt.order_by(User.username).limit(limit).offset(offset))), total


def update_user(session: Session, principal: Principal, user_id: int, data: UserUpdate,
                now: datetime) -> User:
    user = get_user(session, principal, user_id, write=True)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("active") is False:
        if user.id == principal.user_id:
            raise Invalid("Không thể tự khoá tài khoản của mình.", field="active")
        user.token_generation += 1
    for key, value in changes.items():
        setattr(user, key, value)
    session.add(user)
    record(session, principal, "user.update", "user", user.id, detail=changes, at=now)
    return user


def reset_password(session: Session, principal: Principal, user_id: int, data: PasswordReset,
                   now: datetime) -> None:
    user = get_user(session, principal, user_id, write=True)
    user.password_hash = hash_password(data.new_password)
    user.token_generation += 1
    session.add(user)
    record(session, principal, "user.password_reset", "user", user.id, at=now)


def replace_roles(session: Session, principal: Principal, user_id: int, grants: list[RoleGrant],
                  now: datetime) -> User:
    user = get_user(session, principal, user_id, write=True)
    if user.id == principal.user_id:
        raise Forbidden("Không thể tự thay đổi vai trò của mình.", code="self_grant")
    resolved = _resolve_grants(session, principal, grants)
    session.exec(delete(RoleAssignment).where(RoleAssignment.user_id == user.id))
    for role, unit in _unique(resolved):
        session.add(RoleAssignment(user_id=user.id, role=role, unit_id=unit.id))
    user.token_generation += 1
    session.add(user)
    record(session, principal, "user.roles", "user", user.id, unit_id=resolved[0][1].id,
           detail={"roles": [{"role": r, "unit": u.code} for r, u in resolved]}, at=now)
    return user


# --- integration tokens ----------------------------------------------------------------------
def token_public(token: ApiToken, unit: Unit) -> ApiTokenPublic:
    return ApiTokenPublic(id=token.id, name=token.name, prefix=token.prefix, unit_id=unit.id,
                          unit=unit.code, scopes=token.scopes, created_at=token.created_at,
                          expires_at=token.expires_at, last_used_at=token.last_used_at,
                          revoked_at=token.revoked_at)


def create_token(session: Session, principal: Principal, data: TokenCreate,
                 now: datetime) -> ApiTokenCreated:
    unit = get_unit(session, principal, data.unit, Action.admin, field="unit")
    secret, prefix, digest = new_api_token()
    token = ApiToken(name=data.name, prefix=prefix, token_hash=digest, unit_id=unit.id,
                     scopes=sorted({str(s) for s in data.scopes}),
                     created_by_user_id=principal.user_id, created_at=now,
                     expires_at=now + timedelta(days=data.expires_in_days))
    session.add(token)
    session.flush()
    record(session, principal, "token.create", "api_token", token.id, unit_id=unit.id,
           detail={"name": token.name, "scopes": token.scopes}, at=now)
    return ApiTokenCreated(**token_public(token, unit).model_dump(), token=secret)


def list_tokens(session: Session, principal: Principal) -> list[ApiTokenPublic]:
    rows = session.exec(select(ApiToken, Unit).join(Unit, Unit.id == ApiToken.unit_id)
                        .where(principal.subtree_filter(Unit.path, Action.admin))
                        .order_by(ApiToken.created_at.desc())).all()
    return [token_public(t, u) for t, u in rows]


def revoke_token(session: Session, principal: Principal, token_id: int,
                 now: datetime) -> ApiTokenPublic:
    row = session.exec(select(ApiToken, Unit).join(Unit, Unit.id == ApiToken.unit_id)
                       .where(ApiToken.id == token_id)).first()
    if row is None or not principal.can(Action.admin, row[1].path):
        raise NotFound("Không tìm thấy token.", code="token_not_found")
    token, unit = row
    if token.revoked_at is None:
        token.revoked_at = now
        session.add(token)
        record(session, principal, "token.revoke", "api_token", token.id, unit_id=unit.id, at=now)
    return token_public(token, unit)
