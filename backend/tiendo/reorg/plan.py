"""A reorganisation request checked against the tree: every unit found, every rule met, before
anything is written. Whatever is wrong is refused with the change and unit it concerns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session

from tiendo.auth.principal import Action, Principal
from tiendo.auth.service import common_ancestor
from tiendo.errors import Conflict, Forbidden, Invalid
from tiendo.reorg.schemas import (
    MergeChange,
    MoveChange,
    RenameChange,
    ReorganizationCreate,
    SplitChange,
    Successor,
    SuccessorBaseline,
)
from tiendo.units.models import Unit, UnitKind
from tiendo.units.service import _check_parent, find_unit, get_unit

SHARE_TOLERANCE = 1e-6


@dataclass
class NewUnit:
    code: str
    name: str
    kind: UnitKind
    parent: Unit
    baselines: list[SuccessorBaseline]
    field: str


@dataclass
class Flow:
    """One predecessor, its successors with shares, and who takes over its users and tokens."""

    unit: Unit
    to: list[tuple[str, float]]
    roles_to: str | None


@dataclass
class Plan:
    effective_date: date
    note: str
    anchor: Unit
    new_units: dict[str, NewUnit] = field(default_factory=dict)
    flows: list[Flow] = field(default_factory=list)
    renames: list[tuple[Unit, str]] = field(default_factory=list)
    moves: list[tuple[Unit, str, str]] = field(default_factory=list)  # (unit, parent code, field)


def _successors(changes: list, session: Session) -> dict[str, tuple[Successor, str]]:
    """Every successor code with its merged definition (name, kind, parent given at least once,
    the same wherever repeated) and baselines."""
    seen: dict[str, dict] = {}
    for i, ch in enumerate(changes):
        if not isinstance(ch, MergeChange | SplitChange):
            continue
        for j, to in enumerate(ch.to):
            where = f"changes[{i}].to[{j}]"
            spec = seen.setdefault(to.code, {"field": where, "baselines": []})
            for key in ("name", "kind", "parent"):
                value = getattr(to, key)
                if value is not None and spec.get(key) not in (None, value):
                    raise Invalid(f"Đơn vị mới '{to.code}' được khai báo {key} khác nhau.",
                                  field=f"{where}.{key}", code="reorg_conflicting_successor")
                if value is not None:
                    spec[key] = value
            spec["baselines"] += to.baselines
    out = {}
    for code, spec in seen.items():
        if find_unit(session, code) is not None:
            raise Conflict(f"Mã đơn vị '{code}' đã tồn tại; đơn vị kế thừa phải là đơn vị mới.",
                           field=f"{spec['field']}.code", code="unit_exists")
        missing = [k for k in ("name", "kind", "parent") if spec.get(k) is None]
        if missing:
            raise Invalid(f"Đơn vị mới '{code}' thiếu {', '.join(missing)}.",
                          field=f"{spec['field']}.{missing[0]}", code="reorg_incomplete_successor")
        out[code] = (Successor(code=code, name=spec["name"], kind=spec["kind"],
                               parent=spec["parent"], baselines=spec["baselines"]),
                     spec["field"])
    return out


def _open_unit(session: Session, principal: Principal, code: str, where: str,
               effective: date) -> Unit:
    unit = get_unit(session, principal, code, Action.admin, field=where)
    if unit.closed_on is not None:
        raise Conflict(f"Đơn vị '{code}' đã thôi hoạt động từ {unit.closed_on:%d/%m/%Y}.",
                       field=where, code="unit_closed")
    if unit.opened_on is not None and unit.opened_on >= effective:
        raise Invalid(f"Đơn vị '{code}' mở từ {unit.opened_on:%d/%m/%Y}, không trước ngày hiệu "
                      "lực.", field=where, code="invalid_date")
    if unit.parent_id is None:
        raise Forbidden("Không thể sắp xếp đơn vị gốc.", field=where,
                        code="unit_above_your_grant")
    return unit


def _parent_path(unit: Unit) -> str:
    return unit.path[: unit.path.rstrip("/").rfind("/") + 1]


def build_plan(session: Session, principal: Principal, data: ReorganizationCreate,
               today: date) -> Plan:
    eff = data.effective_date
    if eff > today:
        raise Invalid("Chỉ áp dụng sắp xếp từ ngày hiệu lực trở đi (ngày hiệu lực còn ở phía "
                      "trước).", field="effective_date", code="invalid_date")
    successors = _successors(data.changes, session)
    touched: dict[int, str] = {}  # unit id → where it is named: each unit changes once
    anchors: list[str] = []

    def once(unit: Unit, where: str) -> None:
        if unit.id in touched:
            raise Invalid(f"Đơn vị '{unit.code}' xuất hiện ở nhiều thay đổi ({touched[unit.id]}).",
                          field=where, code="reorg_duplicate_unit")
        touched[unit.id] = where

    flows: list[Flow] = []
    renames: list[tuple[Unit, str]] = []
    moves: list[tuple[Unit, str, str]] = []
    for i, ch in enumerate(data.changes):
        where = f"changes[{i}]"
        if isinstance(ch, MergeChange | SplitChange):
            codes = [t.code for t in ch.to]
            if len(set(codes)) != len(codes):
                raise Invalid("Một đơn vị mới được nêu hai lần trong cùng thay đổi.",
                              field=f"{where}.to", code="reorg_duplicate_unit")
            if isinstance(ch, MergeChange):
                if len(ch.to) != 1:
                    raise Invalid("Sáp nhập: đúng một đơn vị mới.", field=f"{where}.to",
                                  code="reorg_shares")
                shares = [1.0]
            else:
                if len(ch.from_) != 1:
                    raise Invalid("Chia tách: đúng một đơn vị cũ.", field=f"{where}.from",
                                  code="reorg_shares")
                if any(t.share is None for t in ch.to):
                    raise Invalid("Chia tách: mỗi đơn vị mới cần tỷ lệ (share).",
                                  field=f"{where}.to", code="reorg_shares")
                shares = [t.share for t in ch.to]
                if abs(sum(shares) - 1) > SHARE_TOLERANCE:
                    raise Invalid(f"Tổng tỷ lệ của '{ch.from_[0]}' là {sum(shares):g}, phải bằng 1.",
                                  field=f"{where}.to", code="reorg_shares")
            if ch.roles_to is not None and ch.roles_to not in codes:
                raise Invalid(f"'{ch.roles_to}' không phải đơn vị mới của thay đổi này.",
                              field=f"{where}.roles_to", code="reorg_roles_target")
            for k, code in enumerate(ch.from_):
                unit = _open_unit(session, principal, code, f"{where}.from[{k}]", eff)
                once(unit, f"{where}.from[{k}]")
                anchors.append(_parent_path(unit))
                flows.append(Flow(unit, list(zip(codes, shares, strict=True)), ch.roles_to))
        elif isinstance(ch, RenameChange):
            unit = _open_unit(session, principal, ch.unit, f"{where}.unit", eff)
            once(unit, f"{where}.unit")
            anchors.append(_parent_path(unit))
            renames.append((unit, ch.name))
        elif isinstance(ch, MoveChange):
            unit = _open_unit(session, principal, ch.unit, f"{where}.unit", eff)
            once(unit, f"{where}.unit")
            anchors.append(_parent_path(unit))
            moves.append((unit, ch.parent, f"{where}.parent"))

    def usable_parent(code: str, where: str) -> Unit:
        parent = get_unit(session, principal, code, Action.admin, field=where)
        if parent.closed_on is not None or any(parent.path.startswith(f.unit.path)
                                               for f in flows):
            raise Invalid(f"Đơn vị cha '{code}' đã (hoặc sẽ) thôi hoạt động.", field=where,
                          code="invalid_parent")
        anchors.append(parent.path)
        return parent

    new_units = {}
    for code, (spec, where) in successors.items():
        parent = usable_parent(spec.parent, f"{where}.parent")
        try:
            _check_parent(spec.kind, parent)
        except Invalid as exc:
            exc.field = f"{where}.kind"
            raise
        new_units[code] = NewUnit(code, spec.name, spec.kind, parent, spec.baselines, where)
    for unit, code, where in moves:
        if code in new_units:
            kind = new_units[code].kind
            anchors.append(new_units[code].parent.path)
        else:
            parent = usable_parent(code, where)
            if parent.path.startswith(unit.path):
                raise Invalid("Không thể chuyển đơn vị vào chính cấp dưới của nó.", field=where,
                              code="invalid_parent")
            kind = UnitKind(parent.kind)
        if UnitKind(unit.kind) not in _allowed_under(kind):
            raise Invalid(f"Đơn vị loại '{unit.kind}' không thể trực thuộc '{kind}'.",
                          field=where, code="invalid_parent")
    anchor_id = common_ancestor(anchors)
    anchor = session.get(Unit, anchor_id) if anchor_id else None
    if anchor is None or not principal.can(Action.admin, anchor.path):
        raise Forbidden("Chỉ quản trị của đơn vị chung cao nhất (chứa mọi đơn vị được sắp xếp) "
                        "mới được áp dụng thay đổi này.", code="unit_above_your_grant")
    return Plan(eff, data.note, anchor, new_units, flows, renames, moves)


def _allowed_under(parent_kind: UnitKind) -> set[UnitKind]:
    from tiendo.units.service import ALLOWED_PARENTS

    return {k for k, parents in ALLOWED_PARENTS.items() if parent_kind in parents}
