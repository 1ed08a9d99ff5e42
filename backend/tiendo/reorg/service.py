"""Applying, trying (dry run), listing and undoing reorganisations.

Order of a change: successors are created (open from the effective date), units moved and
renamed, predecessors closed with their subtrees on the effective date (their reports stay),
users, roles and tokens on the closed units moved to the chosen successor or revoked,
successors' baselines set (given, or derived by shares), and the successors' carried figures
written (tiendo.reorg.carry). A dry run does all of it in a savepoint that is rolled back, so
that it answers exactly what applying would do.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlmodel import Session

from tiendo.audit.models import AuditEvent
from tiendo.audit.service import record
from tiendo.auth.models import ApiToken, RoleAssignment, User
from tiendo.auth.principal import Action, Principal
from tiendo.campaigns.models import Baseline, Campaign, Metric, Target
from tiendo.core.clock import local_today
from tiendo.errors import Conflict, Invalid, NotFound
from tiendo.figures.cache import changed
from tiendo.official.models import OfficialCount
from tiendo.reorg import carry as carry_mod
from tiendo.reorg.models import Reorganization, ReorganizationLink
from tiendo.reorg.plan import Plan, build_plan
from tiendo.reorg.schemas import ReorganizationCreate, ReorganizationPublic, UnitLink
from tiendo.reorg.summary import summary_of
from tiendo.reports.models import Report, Source
from tiendo.units.models import Unit
from tiendo.units.schemas import UnitCreate
from tiendo.units.service import _close_subtree, _move, _reopen, insert_unit


def figures_changed(session: Session, campaign_ids: list[int], unit_ids: list[int],
                    from_week: str | None) -> None:
    """The one place where a reorganisation changes figures (carried reports written or
    deleted, units opened, closed or moved): the kept subtree totals of those units'
    ancestors are invalidated in this transaction (`tiendo.figures.cache`)."""
    units = unit_ids or None  # no unit named: every node
    for campaign_id in campaign_ids or [None]:
        changed(session, campaign_id, units, from_week)


def system_principal(session: Session) -> Principal:
    """The command line: an admin of every root of the tree."""
    from tiendo.auth.models import Role
    from tiendo.auth.principal import Grant

    roots = session.exec(select(Unit).where(Unit.parent_id.is_(None))).scalars().all()
    return Principal(name="tiendo reorganize (dòng lệnh)",
                     grants=[Grant(Role.admin, u.id, u.path) for u in roots])


def apply(session: Session, principal: Principal, data: ReorganizationCreate, now: datetime,
          dry_run: bool = False) -> ReorganizationPublic:
    plan = build_plan(session, principal, data, local_today(now))
    if not dry_run:
        reorg = _apply(session, principal, plan, data, now)
        record(session, principal, "reorganization.apply", "reorganization", reorg.id,
               unit_id=plan.anchor.id, detail={"effective_date": plan.effective_date.isoformat(),
                                               "note": plan.note, "changes": reorg.changes},
               at=now)
        return summary_of(session, reorg)
    savepoint = session.begin_nested()
    try:
        reorg = _apply(session, principal, plan, data, now)
        out = summary_of(session, reorg)
        out.id, out.status, out.undoable = None, "dry_run", False
        return out
    finally:
        savepoint.rollback()
        session.expire_all()


def _apply(session: Session, principal: Principal, plan: Plan, data: ReorganizationCreate,
           now: datetime) -> Reorganization:
    eff = plan.effective_date
    reorg = Reorganization(effective_date=eff, note=plan.note, anchor_unit_id=plan.anchor.id,
                           changes=[c.model_dump(mode="json", by_alias=True) for c in data.changes],
                           created_by_name=principal.name, created_at=now)
    session.add(reorg)
    session.flush()
    applied: dict = {"opened": [], "closed": [], "renamed": [], "moved": [], "roles": [],
                     "tokens": [], "baselines": []}
    made: dict[str, Unit] = {}
    for code, spec in plan.new_units.items():
        unit = insert_unit(session, UnitCreate(code=code, name=spec.name, kind=spec.kind,
                                               parent=spec.parent.code, opened_on=eff),
                           spec.parent, now)
        made[code] = unit
        applied["opened"].append(unit.id)
    session.flush()
    for unit, parent_code, _ in plan.moves:
        parent = made.get(parent_code) or session.exec(
            select(Unit).where(Unit.code == parent_code)).scalar_one()
        applied["moved"].append({"unit_id": unit.id, "old_parent_id": unit.parent_id,
                                 "parent_id": parent.id})
        session.flush()
        _move(session, unit, parent)
        unit.updated_at = now
        session.add(unit)
    for unit, name in plan.renames:
        applied["renamed"].append({"unit_id": unit.id, "old_name": unit.name, "name": name})
        unit.name, unit.updated_at = name, now
        session.add(unit)
    links = []
    for flow in plan.flows:
        for position, (code, share) in enumerate(flow.to):
            links.append(ReorganizationLink(reorganization_id=reorg.id, from_unit_id=flow.unit.id,
                                            to_unit_id=made[code].id, share=share,
                                            position=position))
    session.add_all(links)
    session.flush()
    for flow in plan.flows:
        _close_subtree(session, flow.unit, eff, now)
        closed = session.exec(select(Unit.id).where(Unit.closed_with_id == flow.unit.id)
                              ).scalars().all()
        applied["closed"].append({"unit_id": flow.unit.id, "with": sorted(closed)})
        _hand_over(session, flow.unit.id, sorted(closed),
                   made[flow.roles_to].id if flow.roles_to else None, now, applied)
    applied["baselines"] = _baselines(session, plan, made, links, now)
    reorg.applied = applied
    session.add(reorg)
    session.flush()
    written = carry_mod.carry(session, reorg, now)
    figures_changed(session, sorted({c.id for c, _, _, _ in written}),
                    [*applied["opened"], *(c["unit_id"] for c in applied["closed"]),
                     *(m["unit_id"] for m in applied["moved"])], None)
    return reorg


def _hand_over(session: Session, pred_id: int, closed_ids: list[int], to_id: int | None,
               now: datetime, applied: dict) -> None:
    """Roles and tokens on the closed units: the predecessor's own go to `to_id` (or are
    revoked); those on units closed under it are revoked (a village's reporter does not become
    the new commune's)."""
    for ra in session.exec(select(RoleAssignment).where(RoleAssignment.unit_id.in_(closed_ids))
                           ).scalars().all():
        entry = {"user_id": ra.user_id, "role": ra.role, "from_unit_id": ra.unit_id,
                 "to_unit_id": None, "action": "revoked"}
        if ra.unit_id == pred_id and to_id is not None:
            entry["to_unit_id"] = to_id
            twin = session.exec(select(RoleAssignment.id).where(
                RoleAssignment.user_id == ra.user_id, RoleAssignment.role == ra.role,
                RoleAssignment.unit_id == to_id)).first()
            if twin is None:
                entry["action"] = "moved"
                ra.unit_id = to_id
                session.add(ra)
                session.flush()
                applied["roles"].append(entry)
                continue
            entry["action"] = "merged"  # already held there (from another predecessor)
        session.delete(ra)
        session.flush()
        applied["roles"].append(entry)
    for token in session.exec(select(ApiToken).where(ApiToken.unit_id.in_(closed_ids),
                                                     ApiToken.revoked_at.is_(None))
                              ).scalars().all():
        entry = {"token_id": token.id, "from_unit_id": token.unit_id, "to_unit_id": None,
                 "action": "revoked"}
        if token.unit_id == pred_id and to_id is not None:
            token.unit_id, entry["to_unit_id"], entry["action"] = to_id, to_id, "moved"
        else:
            token.revoked_at = now
        session.add(token)
        applied["tokens"].append(entry)
    session.flush()


def _baselines(session: Session, plan: Plan, made: dict[str, Unit],
               links: list[ReorganizationLink], now: datetime) -> list[dict]:
    """Successors' baselines in every campaign running on or after the effective date: given,
    or the sum of their predecessors' shares. Refused when a target would have none."""
    out, problems = [], []
    campaigns = session.exec(select(Campaign).where(Campaign.end_date >= plan.effective_date)
                             ).scalars().all()
    by_code = {c.code: c for c in campaigns}
    for spec in plan.new_units.values():
        for b in spec.baselines:
            if b.campaign not in by_code:
                raise Invalid(f"Không có chiến dịch '{b.campaign}' chạy sau ngày hiệu lực.",
                              field=f"{spec.field}.baselines", code="campaign_not_found")
    for campaign in campaigns:
        owner = session.get(Unit, campaign.owner_unit_id)
        metrics = session.exec(select(Metric).where(Metric.campaign_id == campaign.id,
                                                    Metric.is_baseline.is_(True))).scalars().all()
        if not metrics:
            continue
        targets = session.exec(select(Target).where(Target.campaign_id == campaign.id)
                               ).scalars().all()
        for metric in metrics:
            rows = session.exec(select(Baseline).where(Baseline.metric_id == metric.id)
                                ).scalars().all()
            have = {b.unit_id: b.value for b in rows}
            shares = carry_mod.share_out(
                links, {p: {"v": have[p]} for p in {x.from_unit_id for x in links} if p in have})
            preds_of: dict[int, set[int]] = {}
            for link in links:
                preds_of.setdefault(link.to_unit_id, set()).add(link.from_unit_id)
            for code, spec in plan.new_units.items():
                unit = made[code]
                if not unit.path.startswith(owner.path):
                    continue
                given = next((b.value for b in spec.baselines if b.campaign == campaign.code
                              and b.metric == metric.code), None)
                derived = given is None and preds_of.get(unit.id, set()) <= have.keys()
                value = given if given is not None else (
                    shares.get(unit.id, {}).get("v") if derived else None)
                if value is None:
                    needed = [t for t in targets if t.denominator_metric_id == metric.id
                              and t.unit_id is None and unit.kind in t.unit_kinds]
                    for t in needed:
                        problems.append({"field": f"{spec.field}.baselines", "unit": code,
                                         "campaign": campaign.code, "target": t.code,
                                         "metric": metric.code})
                    continue
                if unit.kind not in metric.unit_kinds and given is None:
                    continue
                row = Baseline(campaign_id=campaign.id, metric_id=metric.id, unit_id=unit.id,
                               value=value, updated_at=now,
                               note="Tính theo tỷ lệ khi sắp xếp đơn vị" if derived
                               else "Nhập khi sắp xếp đơn vị")
                session.add(row)
                session.flush()
                out.append({"baseline_id": row.id, "campaign_id": campaign.id,
                            "metric_id": metric.id, "unit_id": unit.id, "value": value,
                            "derived": derived})
    if problems:
        first = problems[0]
        raise Invalid(
            f"Chỉ tiêu '{first['target']}' (chiến dịch {first['campaign']}) sẽ không có mẫu số "
            f"'{first['metric']}' cho đơn vị mới '{first['unit']}': hãy nhập số liệu nền "
            "(baselines) cho đơn vị này, hoặc cho mọi đơn vị cũ của nó.", field=first["field"],
            code="reorg_no_denominator", details=problems)
    return out


# --- reading -----------------------------------------------------------------------------------
def get_reorganization(session: Session, principal: Principal, reorg_id: int) -> Reorganization:
    reorg = session.get(Reorganization, reorg_id)
    anchor = session.get(Unit, reorg.anchor_unit_id) if reorg else None
    if anchor is None or not principal.can(Action.admin, anchor.path):
        raise NotFound("Không tìm thấy đợt sắp xếp.", code="reorganization_not_found")
    return reorg


def list_reorganizations(session: Session, principal: Principal, limit: int, offset: int
                         ) -> tuple[list[ReorganizationPublic], int]:
    stmt = (select(Reorganization).join(Unit, Unit.id == Reorganization.anchor_unit_id)
            .where(principal.subtree_filter(Unit.path, Action.admin)))
    total = session.exec(select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = session.exec(stmt.order_by(Reorganization.id.desc()).limit(limit).offset(offset)
                        ).scalars().all()
    return [summary_of(session, r) for r in rows], total


def lineage_of(session: Session, unit_ids: list[int]
               ) -> dict[int, tuple[list[UnitLink], list[UnitLink]]]:
    """Per unit: the units it was formed from, and the units it was merged (or split) into, by
    applied reorganisations."""
    out: dict[int, tuple[list[UnitLink], list[UnitLink]]] = {u: ([], []) for u in unit_ids}
    if not unit_ids:
        return out
    link, other = ReorganizationLink, Unit
    rows = session.exec(
        select(link, Reorganization.effective_date)
        .join(Reorganization, Reorganization.id == link.reorganization_id)
        .where(Reorganization.status == "applied",
               (link.from_unit_id.in_(unit_ids)) | (link.to_unit_id.in_(unit_ids)))
        .order_by(link.id)).all()
    ids = {x.from_unit_id for x, _ in rows} | {x.to_unit_id for x, _ in rows}
    names = {u.id: u for u in session.exec(select(other).where(other.id.in_(ids))).scalars()}
    for x, eff in rows:
        if x.to_unit_id in out:
            u = names[x.from_unit_id]
            out[x.to_unit_id][0].append(UnitLink(code=u.code, name=u.name, share=x.share,
                                                 effective_date=eff,
                                                 reorganization_id=x.reorganization_id))
        if x.from_unit_id in out:
            u = names[x.to_unit_id]
            out[x.from_unit_id][1].append(UnitLink(code=u.code, name=u.name, share=x.share,
                                                   effective_date=eff,
                                                   reorganization_id=x.reorganization_id))
    return out


# --- undo ------------------------------------------------------------------------------------
def undo(session: Session, principal: Principal, reorg_id: int, now: datetime
         ) -> ReorganizationPublic:
    reorg = get_reorganization(session, principal, reorg_id)
    if reorg.status != "applied":
        raise Conflict("Đợt sắp xếp này đã được hoàn tác.", code="reorganization_undone")
    applied = reorg.applied
    succs = list(applied["opened"])
    _check_undoable(session, reorg, succs)
    carried = carry_mod.carried_reports(session, succs)
    carry_mod._delete_reports(session, carried)
    session.exec(delete(Baseline).where(Baseline.id.in_(
        [b["baseline_id"] for b in applied["baselines"]] or [-1])))
    for entry in reversed(applied["roles"]):
        if entry["action"] == "moved":
            session.exec(update(RoleAssignment).where(
                RoleAssignment.user_id == entry["user_id"], RoleAssignment.role == entry["role"],
                RoleAssignment.unit_id == entry["to_unit_id"]).values(
                unit_id=entry["from_unit_id"]))
        else:
            session.add(RoleAssignment(user_id=entry["user_id"], role=entry["role"],
                                       unit_id=entry["from_unit_id"]))
    for entry in applied["tokens"]:
        session.exec(update(ApiToken).where(ApiToken.id == entry["token_id"]).values(
            unit_id=entry["from_unit_id"], revoked_at=None))
    session.flush()
    for closed in applied["closed"]:
        _reopen(session, session.get(Unit, closed["unit_id"]), now)
    for entry in reversed(applied["renamed"]):
        unit = session.get(Unit, entry["unit_id"])
        unit.name, unit.updated_at = entry["old_name"], now
        session.add(unit)
    for entry in reversed(applied["moved"]):
        session.flush()
        unit = session.get(Unit, entry["unit_id"])
        _move(session, unit, session.get(Unit, entry["old_parent_id"]))
        session.add(unit)
    session.exec(delete(ReorganizationLink).where(
        ReorganizationLink.reorganization_id == reorg.id))
    session.flush()
    session.exec(update(AuditEvent).where(AuditEvent.unit_id.in_(succs or [-1]))
                 .values(unit_id=reorg.anchor_unit_id))
    session.exec(delete(Unit).where(Unit.id.in_(succs or [-1])))
    reorg.status, reorg.undone_at = "undone", now
    session.add(reorg)
    session.flush()
    session.expire_all()
    figures_changed(session, sorted({r.campaign_id for r in carried}),
                    [*succs, *(c["unit_id"] for c in applied["closed"])], None)
    record(session, principal, "reorganization.undo", "reorganization", reorg.id,
           unit_id=reorg.anchor_unit_id, detail={"effective_date": str(reorg.effective_date)},
           at=now)
    return summary_of(session, session.get(Reorganization, reorg.id))


def has_own_reports(session: Session, successor_ids: list[int]) -> bool:
    return bool(successor_ids) and session.exec(
        select(Report.id).where(Report.unit_id.in_(successor_ids),
                                Report.source != Source.reorganization).limit(1)).first() is not None


def _check_undoable(session: Session, reorg: Reorganization, succs: list[int]) -> None:
    if has_own_reports(session, succs):
        raise Conflict("Không thể hoàn tác: đơn vị mới đã có báo cáo của chính nó.",
                       code="reorganization_has_reports")
    moved_roles = {(e["user_id"], e["role"], e["to_unit_id"]) for e in reorg.applied["roles"]
                   if e["action"] == "moved"}
    moved_tokens = {e["token_id"] for e in reorg.applied["tokens"] if e["action"] == "moved"}
    ids = succs or [-1]
    busy = []
    roles = session.exec(select(RoleAssignment).where(RoleAssignment.unit_id.in_(ids))
                         ).scalars().all()
    if any((r.user_id, r.role, r.unit_id) not in moved_roles for r in roles):
        busy.append("vai trò mới")
    if any(t.id not in moved_tokens for t in session.exec(
            select(ApiToken).where(ApiToken.unit_id.in_(ids))).scalars()):
        busy.append("mã tích hợp mới")
    for what, model in (("đơn vị cấp dưới", Unit), ("chỉ tiêu", Target),
                        ("số liệu chính thức", OfficialCount)):
        column = model.parent_id if model is Unit else model.unit_id
        if session.exec(select(func.count()).where(column.in_(ids))).scalar_one():
            busy.append(what)
    if session.exec(select(func.count()).where(Campaign.owner_unit_id.in_(ids))).scalar_one():
        busy.append("chiến dịch")
    if session.exec(select(func.count()).where(ReorganizationLink.from_unit_id.in_(ids))
                    ).scalar_one() or session.exec(select(func.count()).where(
                        Unit.id.in_(ids), Unit.closed_on.is_not(None))).scalar_one():
        busy.append("một đợt sắp xếp sau")
    if busy:
        raise Conflict("Không thể hoàn tác: đơn vị mới đã có " + ", ".join(busy) + ".",
                       code="unit_in_use")


def user_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.exec(select(User.id, User.username).where(User.id.in_(ids))).all())

