"""Unit tree rules: codes are stable, kinds nest sensibly, a unit with history is never deleted."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Row, String, bindparam, func, literal, or_, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from tiendo.audit.models import AuditEvent
from tiendo.audit.service import record
from tiendo.auth.principal import Action, Principal
from tiendo.core.clock import local_today
from tiendo.errors import Conflict, Forbidden, Invalid, NotFound
from tiendo.figures.cache import RECORDED, reshaped
from tiendo.units.models import Unit, UnitKind
from tiendo.units.schemas import UnitClose, UnitContact, UnitCreate, UnitPublic, UnitUpdate

K = UnitKind
ALLOWED_PARENTS: dict[UnitKind, set[UnitKind | None]] = {
    K.city: {None},
    K.district: {K.city},
    K.commune: {K.district, K.city},
    K.agency: {K.district, K.city},
    K.public_service: {K.district, K.city, K.agency},
    K.school: {K.district, K.agency, K.commune},
    K.party: {K.district, K.city},
    K.mass_org: {K.district, K.city},
    K.village: {K.commune},
}


_BY_CODE = select(Unit).where(Unit.code == bindparam("code"))  # built once: every write uses it


def find_unit(session: Session, ref: str | int) -> Unit | None:
    """A unit by id (digits) or by code."""
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        return session.get(Unit, int(ref))
    return session.exec(_BY_CODE, params={"code": ref}).first()


_ROW = sa_select(*(Unit.__table__.c[c] for c in ("id", "code", "name", "kind", "path", "active",
                                                  "opened_on", "closed_on")))
_ROW_BY_CODE = _ROW.where(Unit.__table__.c.code == bindparam("ref"))
_ROW_BY_ID = _ROW.where(Unit.__table__.c.id == bindparam("ref"))


def get_unit_row(session: Session, principal: Principal, ref: str, action: Action,
                 field: str | None = None) -> Row:
    """`get_unit` for the path every report takes: the unit's id, code, name, kind, path and
    active flag as a row, without an ORM object."""
    by_id = ref.isdigit()
    unit = session.connection().execute(_ROW_BY_ID if by_id else _ROW_BY_CODE,
                                        {"ref": int(ref) if by_id else ref}).first()
    if unit is None:
        raise NotFound("Không tìm thấy đơn vị.", field=field, code="unit_not_found")
    principal.ensure(action, unit.path, "đơn vị", code="unit_not_found", field=field)
    return unit


def get_unit(session: Session, principal: Principal, ref: str | int,
             action: Action = Action.read, field: str | None = None) -> Unit:
    unit = find_unit(session, ref)
    if unit is None:
        raise NotFound("Không tìm thấy đơn vị.", field=field, code="unit_not_found")
    principal.ensure(action, unit.path, "đơn vị", code="unit_not_found", field=field)
    return unit


def unit_public(unit: Unit, principal: Principal) -> UnitPublic:
    """The unit as the caller may see it: the reporting contact only for its managers."""
    out = UnitPublic.model_validate(unit)
    if principal.can(Action.manage, unit.path):
        out.contact = UnitContact.of(unit)
    return out


def set_contact(session: Session, principal: Principal, ref: str, contact: UnitContact,
                now: datetime) -> Unit:
    """The unit's own admin (not only those above it) keeps its reporting contact current."""
    unit = get_unit(session, principal, ref, Action.admin)
    unit.contact_name, unit.contact_title = contact.name, contact.title
    unit.contact_phone, unit.contact_email = contact.phone, contact.email
    unit.contact_zalo_phone = contact.zalo_phone
    unit.updated_at = now
    session.add(unit)
    record(session, principal, "unit.contact", "unit", unit.id, unit_id=unit.id,
           detail=contact.model_dump(mode="json"), at=now)
    return unit


def resolve_under(session: Session, principal: Principal, ref: str | None,
                  action: Action = Action.read) -> Unit:
    """The unit every "under" parameter names, or by default the caller's top unit for
    `action` (the shortest path it may act on). Outside the caller's subtrees: 404."""
    if ref is not None:
        return get_unit(session, principal, ref, action, field="under")
    paths = principal.paths(action)
    unit = session.exec(select(Unit).where(Unit.path == paths[0])).first() if paths else None
    if unit is None:
        raise NotFound("Không tìm thấy đơn vị.", field="under", code="unit_not_found")
    return unit


def get_unit_from_above(session: Session, principal: Principal, ref: str | int) -> Unit:
    """A unit to change (edit, move, rename, deactivate, delete): only from a grant above it.
    The unit at the top of one's own grant is changed by those who hold its parent (a commune's
    own admin cannot close the commune and drop it from the district's figures); the root of
    the tree only from the command line."""
    unit = get_unit(session, principal, ref, Action.admin)
    parent_path = unit.path[: unit.path.rstrip("/").rfind("/") + 1]
    if unit.parent_id is None or not principal.can(Action.admin, parent_path):
        raise Forbidden("Chỉ cấp trên của đơn vị này mới được thay đổi nó.",
                        code="unit_above_your_grant")
    return unit


def _check_parent(kind: UnitKind, parent: Unit | None) -> None:
    parent_kind = UnitKind(parent.kind) if parent else None
    if parent_kind not in ALLOWED_PARENTS[kind]:
        raise Invalid(f"Đơn vị loại '{kind}' không thể trực thuộc '{parent_kind or 'không có'}'.",
                      field="parent", code="invalid_parent")


def list_units(
    session: Session, principal: Principal, *, parent: str | None = None,
    kind: UnitKind | None = None, under: str | None = None, q: str | None = None,
    active: bool | None = None, code: str | None = None, limit: int = 50, offset: int = 0,
) -> tuple[list[Unit], int]:
    stmt = select(Unit).where(principal.subtree_filter(Unit.path))
    if parent is not None:
        p = get_unit(session, principal, parent, field="parent")
        stmt = stmt.where(Unit.parent_id == p.id)
    if under is not None:
        u = get_unit(session, principal, under, field="under")
        stmt = stmt.where(Unit.path.startswith(u.path))
    if kind is not None:
        stmt = stmt.where(Unit.kind == kind)
    if q:
        # By name or code: unit pickers search as the user types either.
        stmt = stmt.where(or_(func.lower(Unit.name).contains(q.lower(), autoescape=True),
                              func.lower(Unit.code).contains(q.lower(), autoescape=True)))
    if active is not None:
        stmt = stmt.where(Unit.active == active)
    if code is not None:
        stmt = stmt.where(Unit.code == code)
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(stmt.order_by(Unit.path).limit(limit).offset(offset)).all()
    return list(rows), total


def insert_unit(session: Session, data: UnitCreate, parent: Unit | None, now: datetime) -> Unit:
    """Inserts without permission checks (used by the service and by seeding)."""
    if find_unit(session, data.code) is not None:
        raise Conflict(f"Mã đơn vị '{data.code}' đã tồn tại.", field="code", code="unit_exists")
    _check_parent(data.kind, parent)
    unit = Unit(
        code=data.code, name=data.name, kind=data.kind, parent_id=parent.id if parent else None,
        path="", depth=(parent.depth + 1) if parent else 0, head_name=data.head_name,
        head_title=data.head_title, gso_code=data.gso_code, created_at=now, updated_at=now,
        opened_on=data.opened_on,
    )
    session.add(unit)
    session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    session.add(unit)
    return unit


def create_unit(session: Session, principal: Principal, data: UnitCreate, now: datetime) -> Unit:
    parent = get_unit(session, principal, data.parent, Action.admin, field="parent")
    if data.opened_on is None:  # a unit made today is not expected in the weeks before
        data = data.model_copy(update={"opened_on": local_today(now)})
    unit = insert_unit(session, data, parent, now)
    session.flush()
    record(session, principal, "unit.create", "unit", unit.id, unit_id=unit.id,
           detail=data.model_dump(mode="json"), at=now)
    return unit


def update_unit(session: Session, principal: Principal, ref: str, data: UnitUpdate,
                now: datetime) -> Unit:
    unit = get_unit_from_above(session, principal, ref)
    changes = data.model_dump(exclude_unset=True)
    if not changes:
        return unit
    new_parent_code = changes.pop("parent", None)
    parent = session.get(Unit, unit.parent_id) if unit.parent_id else None
    if new_parent_code is not None and (parent is None or new_parent_code != parent.code):
        if parent is not None:
            principal.ensure(Action.admin, parent.path, "đơn vị")
        new_parent = get_unit(session, principal, new_parent_code, Action.admin, field="parent")
        if new_parent.path.startswith(unit.path):
            raise Invalid("Không thể chuyển đơn vị vào chính cấp dưới của nó.", field="parent",
                          code="invalid_parent")
        _move(session, unit, new_parent)
        parent = new_parent
    if "kind" in changes:
        _check_parent(UnitKind(changes["kind"]), parent)
    if changes.get("active") is False and unit.active:
        _close_subtree(session, unit, local_today(now), now)
    elif changes.get("active") is True and not unit.active:
        _reopen(session, unit, now)
    changes.pop("active", None)
    for key, value in changes.items():
        setattr(unit, key, value)
    unit.updated_at = now
    session.add(unit)
    record(session, principal, "unit.update", "unit", unit.id, unit_id=unit.id,
           detail=data.model_dump(mode="json", exclude_unset=True), at=now)
    return unit


def _move(session: Session, unit: Unit, new_parent: Unit) -> None:
    """The unit and its subtree under `new_parent`: the kept totals above its old and new
    places are forgotten, and its subtree's own (whether a campaign expects a unit depends on
    its being inside the campaign owner's subtree, which a move can enter or leave)."""
    old_path, new_path = unit.path, f"{new_parent.path}{unit.id}/"
    depth_shift = new_parent.depth + 1 - unit.depth
    reshaped(session, [p for p in (unit.parent_id, new_parent.id) if p is not None], [unit.id])
    session.exec(
        update(Unit)
        .where(Unit.path.startswith(old_path))
        .values(path=literal(new_path, String) + func.substr(Unit.path, len(old_path) + 1),
                depth=Unit.depth + depth_shift)
        .execution_options(synchronize_session=False, **{RECORDED: True})
    )
    session.refresh(unit)
    unit.parent_id = new_parent.id


def _close_subtree(session: Session, unit: Unit, closed_on: date, now: datetime) -> None:
    """Closes the unit and every still-open unit under it on one date, each marked as closed
    with it. Units closed earlier keep their own date, and stay closed when this one reopens."""
    if unit.opened_on is not None and closed_on < unit.opened_on:
        raise Invalid("Ngày thôi hoạt động không thể trước ngày bắt đầu hoạt động "
                      f"({unit.opened_on:%d/%m/%Y}).", field="closed_on", code="invalid_date")
    session.flush()  # a move made just before is written first: the refresh below keeps it
    reshaped(session, [unit.id], [unit.id])  # the subtree's totals and those above it
    session.exec(
        update(Unit).where(Unit.path.startswith(unit.path), Unit.closed_on.is_(None))
        .values(active=False, closed_on=closed_on, closed_with_id=unit.id, updated_at=now)
        .execution_options(synchronize_session=False, **{RECORDED: True})
    )
    session.refresh(unit)


def _reopen(session: Session, unit: Unit, now: datetime) -> None:
    """Reopens the unit and what was closed together with it (not what had been closed on its
    own before). A unit closed with an ancestor reopens with the same units under it."""
    closer = unit.closed_with_id or unit.id
    session.flush()
    reshaped(session, [unit.id], [unit.id])  # the subtree's totals and those above it
    session.exec(
        update(Unit).where(Unit.path.startswith(unit.path), Unit.closed_with_id == closer)
        .values(active=True, closed_on=None, closed_with_id=None, updated_at=now)
        .execution_options(synchronize_session=False, **{RECORDED: True})
    )
    session.exec(update(Unit).where(Unit.id == unit.id)
                 .values(active=True, closed_on=None, closed_with_id=None, updated_at=now)
                 .execution_options(synchronize_session=False, **{RECORDED: True}))
    session.refresh(unit)


def deactivate_unit(session: Session, principal: Principal, ref: str, now: datetime,
                    data: UnitClose | None = None) -> Unit:
    """Closes a unit and everything under it on a date (default today); history stays, and
    weeks due before that date still expect it."""
    unit = get_unit_from_above(session, principal, ref)
    if unit.closed_on is not None:
        raise Conflict(f"Đơn vị đã thôi hoạt động từ {unit.closed_on:%d/%m/%Y}.",
                       code="unit_closed")
    today = local_today(now)
    closed_on = (data.closed_on if data else None) or today
    if closed_on > today:  # `active` follows the date; a closure is recorded when it happens
        raise Invalid("Chưa thể đóng đơn vị từ một ngày trong tương lai.", field="closed_on",
                      code="invalid_date")
    _close_subtree(session, unit, closed_on, now)
    session.refresh(unit)
    record(session, principal, "unit.deactivate", "unit", unit.id, unit_id=unit.id,
           detail={"closed_on": closed_on.isoformat()}, at=now)
    return unit


def delete_unit(session: Session, principal: Principal, ref: str, now: datetime) -> None:
    """Only a unit nothing refers to can be deleted; anything with history is deactivated."""
    from tiendo.models import (
        ApiToken,
        Baseline,
        OfficialCount,
        QualityFlag,
        Report,
        RoleAssignment,
        Target,
    )

    unit = get_unit_from_above(session, principal, ref)
    for model in (Report, Baseline, RoleAssignment, ApiToken, Target, OfficialCount, QualityFlag):
        if session.exec(select(model).where(model.unit_id == unit.id).limit(1)).first():
            raise Conflict("Đơn vị đã có dữ liệu gắn với nó; hãy ngừng hoạt động thay vì xoá.",
                           code="unit_in_use")
    from tiendo.reorg.models import Reorganization, ReorganizationLink

    link = ReorganizationLink
    if session.exec(select(link.id).where(
            (link.from_unit_id == unit.id) | (link.to_unit_id == unit.id)).limit(1)).first() \
            or session.exec(select(Reorganization.id).where(
                Reorganization.anchor_unit_id == unit.id).limit(1)).first():
        raise Conflict("Đơn vị có trong một đợt sắp xếp; hãy ngừng hoạt động thay vì xoá.",
                       code="unit_in_use")
    if session.exec(select(Unit).where(Unit.parent_id == unit.id).limit(1)).first():
        raise Conflict("Đơn vị còn đơn vị cấp dưới.", code="unit_has_children")
    from tiendo.campaigns.models import Campaign

    if session.exec(select(Campaign).where(Campaign.owner_unit_id == unit.id).limit(1)).first():
        raise Conflict("Đơn vị đang chủ trì một chiến dịch.", code="unit_in_use")
    # The unit's history (its creation at least) and its deletion are filed under the parent.
    session.exec(update(AuditEvent).where(AuditEvent.unit_id == unit.id)
                 .values(unit_id=unit.parent_id).execution_options(synchronize_session=False))
    record(session, principal, "unit.delete", "unit", unit.id, unit_id=unit.parent_id,
           detail={"code": unit.code, "name": unit.name}, at=now)
    session.delete(unit)
