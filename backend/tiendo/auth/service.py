"""Log-in, users and their roles, integration tokens."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from tiendo.audit.service import record
from tiendo.auth.models import ApiToken, Role, RoleAssignment, User
from tiendo.auth.principal import Action, Principal
from tiendo.auth.schemas import (
    ApiTokenCreated,
    ApiTokenPublic,
    PasswordReset,
    RoleGrant,
    RolePublic,
    TokenCreate,
    UserCreate,
    UserPublic,
    UserUpdate,
)
from tiendo.auth.security import hash_password, new_api_token
from tiendo.errors import Conflict, Forbidden, Invalid, NotFound
from tiendo.units.models import Unit
from tiendo.units.service import get_unit


def audit_unit_of(session: Session, user_id: int) -> int | None:
    """The unit an event about this user is filed under: the nearest unit above all of the
    user's roles, so that only admins who manage every one of them see it."""
    paths = session.exec(select(Unit.path).join(RoleAssignment, RoleAssignment.unit_id == Unit.id)
                         .where(RoleAssignment.user_id == user_id)).all()
    return common_ancestor(list(paths))


def common_ancestor(paths: list[str]) -> int | None:
    if not paths:
        return None
    parts = [p.strip("/").split("/") for p in paths]
    common: list[str] = []
    for segment in zip(*parts, strict=False):
        if len(set(segment)) != 1:
            break
        common.append(segment[0])
    return int(common[-1]) if common else None


# --- users -----------------------------------------------------------------------------------
def roles_of(session: Session, user_ids: list[int],
             viewer: Principal | None = None) -> dict[int, list[RolePublic]]:
    """Roles per user; seen by an admin, only the roles inside that admin's subtrees (a
    district user who also helps a commune must not show the commune admin the district)."""
    out: dict[int, list[RolePublic]] = {uid: [] for uid in user_ids}
    rows = session.exec(select(RoleAssignment, Unit).join(Unit, Unit.id == RoleAssignment.unit_id)
                        .where(RoleAssignment.user_id.in_(user_ids))
                        .order_by(Unit.path, RoleAssignment.role)).all()
    for ra, unit in rows:
        if viewer is None or viewer.can(Action.admin, unit.path):
            out[ra.user_id].append(RolePublic(role=ra.role, unit_id=unit.id, unit=unit.code,
                                              unit_name=unit.name))
    return out


def user_public(session: Session, users: list[User],
                viewer: Principal | None = None) -> list[UserPublic]:
    """`viewer` is the admin asking; None for the user's own view (all roles)."""
    roles = roles_of(session, [u.id for u in users], viewer)
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
    taken = Conflict(f"Tên đăng nhập '{data.username}' đã có.", field="username",
                     code="user_exists")
    if session.exec(select(User).where(User.username == data.username)).first():
        raise taken
    user = User(username=data.username, full_name=data.full_name, email=data.email,
                phone=data.phone, password_hash=hash_password(data.password), created_at=now)
    session.add(user)
    try:
        with session.begin_nested():  # two admins creating the same name at once
            session.flush()
    except IntegrityError:
        raise taken from None
    for role, unit in _unique(grants):
        session.add(RoleAssignment(user_id=user.id, role=role, unit_id=unit.id))
    session.flush()
    return user


def create_user(session: Session, principal: Principal | None, data: UserCreate,
                now: datetime) -> User:
    grants = _resolve_grants(session, principal, data.roles)
    user = insert_user(session, data, grants, now)
    record(session, principal, "user.create", "user", user.id,
           unit_id=common_ancestor([u.path for _, u in grants]),
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
    for key in ("full_name", "active"):
        if key in changes and changes[key] is None:
            raise Invalid("Trường này không được để trống.", field=key)
    if changes.get("active") is False:
        if user.id == principal.user_id:
            raise Invalid("Không thể tự khoá tài khoản của mình.", field="active")
        user.token_generation += 1
    for key, value in changes.items():
        setattr(user, key, value)
    session.add(user)
    record(session, principal, "user.update", "user", user.id,
           unit_id=audit_unit_of(session, user.id), detail=data.model_dump(mode="json",
                                                                         exclude_unset=True),
           at=now)
    return user


def reset_password(session: Session, principal: Principal, user_id: int, data: PasswordReset,
                   now: datetime) -> None:
    user = get_user(session, principal, user_id, write=True)
    if user.id == principal.user_id:
        raise Forbidden("Đổi mật khẩu của chính mình tại /auth/password (cần mật khẩu hiện tại).",
                        code="self_reset")
    user.password_hash = hash_password(data.new_password)
    user.token_generation += 1
    session.add(user)
    record(session, principal, "user.password_reset", "user", user.id,
           unit_id=audit_unit_of(session, user.id), at=now)


def replace_roles(session: Session, principal: Principal, user_id: int, grants: list[RoleGrant],
                  now: datetime) -> User:
    user = get_user(session, principal, user_id, write=True)
    if user.id == principal.user_id:
        raise Forbidden("Không thể tự thay đổi vai trò của mình.", code="self_grant")
    resolved = _resolve_grants(session, principal, grants)
    before = session.exec(select(RoleAssignment.role, Unit.code, Unit.path)
                          .join(Unit, Unit.id == RoleAssignment.unit_id)
                          .where(RoleAssignment.user_id == user.id)).all()
    session.exec(delete(RoleAssignment).where(RoleAssignment.user_id == user.id))
    for role, unit in _unique(resolved):
        session.add(RoleAssignment(user_id=user.id, role=role, unit_id=unit.id))
    user.token_generation += 1
    session.add(user)
    paths = [p for _, _, p in before] + [u.path for _, u in resolved]
    record(session, principal, "user.roles", "user", user.id, unit_id=common_ancestor(paths),
           detail={"before": [{"role": r, "unit": c} for r, c, _ in before],
                   "after": [{"role": r, "unit": u.code} for r, u in resolved]}, at=now)
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
