"""What a reorganisation did (or, in a dry run, would do), in codes and names."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from tiendo.auth.models import ApiToken, User
from tiendo.campaigns.models import Campaign, Metric
from tiendo.reorg.carry import carried_reports
from tiendo.reorg.models import Reorganization, ReorganizationLink
from tiendo.reorg.schemas import (
    AccessChange,
    CarriedFigures,
    LinkPublic,
    MovedUnit,
    RenamedUnit,
    ReorganizationPublic,
    SuccessorBaselineSet,
    UnitBrief,
)
from tiendo.reports.models import ReportValue
from tiendo.units.models import Unit


def summary_of(session: Session, reorg: Reorganization) -> ReorganizationPublic:
    from tiendo.reorg.service import has_own_reports

    a = reorg.applied or {}
    closed_ids = [i for c in a.get("closed", []) for i in c["with"]]
    unit_ids = {*a.get("opened", []), *closed_ids, reorg.anchor_unit_id,
                *(m[k] for m in a.get("moved", []) for k in ("unit_id", "old_parent_id",
                                                             "parent_id")),
                *(r["unit_id"] for r in a.get("renamed", [])),
                *(r[k] for r in a.get("roles", []) + a.get("tokens", [])
                  for k in ("from_unit_id", "to_unit_id") if r[k] is not None)}
    links = session.exec(select(ReorganizationLink).where(
        ReorganizationLink.reorganization_id == reorg.id)
        .order_by(ReorganizationLink.id)).scalars().all()
    unit_ids |= {x.from_unit_id for x in links} | {x.to_unit_id for x in links}
    units = {u.id: u for u in session.exec(select(Unit).where(Unit.id.in_(unit_ids))).scalars()}
    parents = {u.id: u for u in session.exec(select(Unit).where(Unit.id.in_(
        {u.parent_id for u in units.values() if u.parent_id}))).scalars()}

    def code(uid: int | None) -> str:
        return units[uid].code if uid in units else f"#{uid}"

    def brief(uid: int) -> UnitBrief:
        u = units.get(uid)
        if u is None:  # deleted by an undo
            return UnitBrief(code=f"#{uid}", name="")
        p = parents.get(u.parent_id)
        return UnitBrief(code=u.code, name=u.name, kind=u.kind, parent=p.code if p else None)

    campaigns = {c.id: c for c in session.exec(select(Campaign)).scalars()} if (
        a.get("baselines") or a.get("opened")) else {}
    metric_ids = {b["metric_id"] for b in a.get("baselines", [])}
    carried = carried_reports(session, list(a.get("opened", []))) if a.get("opened") else []
    values: dict[int, dict[str, int]] = {}
    if carried:
        rows = session.exec(select(ReportValue.report_id, Metric.code, ReportValue.value)
                            .join(Metric, Metric.id == ReportValue.metric_id)
                            .where(ReportValue.report_id.in_([r.id for r in carried]))).all()
        for rid, mcode, v in rows:
            values.setdefault(rid, {})[mcode] = v
    metrics = {m.id: m.code for m in session.exec(select(Metric).where(
        Metric.id.in_(metric_ids))).scalars()} if metric_ids else {}
    users = dict(session.exec(select(User.id, User.username).where(User.id.in_(
        {r["user_id"] for r in a.get("roles", [])} or {-1}))).all())
    tokens = dict(session.exec(select(ApiToken.id, ApiToken.name).where(ApiToken.id.in_(
        {t["token_id"] for t in a.get("tokens", [])} or {-1}))).all())
    access = [AccessChange(what="role", holder=users.get(r["user_id"], f"#{r['user_id']}"),
                           role=r["role"], from_unit=code(r["from_unit_id"]),
                           to_unit=code(r["to_unit_id"]) if r["to_unit_id"] else None,
                           action="revoked" if r["action"] == "revoked" else "moved")
              for r in a.get("roles", [])]
    access += [AccessChange(what="token", holder=tokens.get(t["token_id"], f"#{t['token_id']}"),
                            from_unit=code(t["from_unit_id"]),
                            to_unit=code(t["to_unit_id"]) if t["to_unit_id"] else None,
                            action=t["action"]) for t in a.get("tokens", [])]
    return ReorganizationPublic(
        id=reorg.id, status=reorg.status, effective_date=reorg.effective_date, note=reorg.note,
        anchor=brief(reorg.anchor_unit_id), created_by_name=reorg.created_by_name,
        created_at=reorg.created_at, undone_at=reorg.undone_at,
        units_opened=[brief(u) for u in a.get("opened", [])],
        units_closed=[brief(u) for u in closed_ids],
        renamed=[RenamedUnit(code=code(r["unit_id"]), old_name=r["old_name"], name=r["name"])
                 for r in a.get("renamed", [])],
        moved=[MovedUnit(code=code(m["unit_id"]), old_parent=code(m["old_parent_id"]),
                         parent=code(m["parent_id"])) for m in a.get("moved", [])],
        links=[LinkPublic(from_=code(x.from_unit_id), to=code(x.to_unit_id), share=x.share)
               for x in links],
        baselines=[SuccessorBaselineSet(campaign=campaigns[b["campaign_id"]].code, unit=code(b["unit_id"]),
                               metric=metrics.get(b["metric_id"], "?"), value=b["value"],
                               derived=b["derived"]) for b in a.get("baselines", [])],
        carried=[CarriedFigures(campaign=campaigns[r.campaign_id].code, unit=code(r.unit_id),
                                period=r.period, values=values.get(r.id, {}))
                 for r in sorted(carried, key=lambda r: (r.campaign_id, r.unit_id))],
        access=access,
        undoable=reorg.status == "applied" and not has_own_reports(
            session, list(a.get("opened", []))),
    )
