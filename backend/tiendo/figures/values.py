"""Each unit's own figures for every weekly metric over a run of weeks (what the data-quality
checks read: weekly increments are figure(W) − figure(W−1)).

For each week and each unit asked for, the report its figure comes from (`report_at`: its
latest at or before the week, carried forward) and all of that report's values. One statement
per week, each a seek per unit on the unique (campaign, unit, period) key; the values of the
reports found are then read by primary key.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import String, bindparam, select
from sqlmodel import Session

from tiendo.campaigns.models import Campaign
from tiendo.core.periods import Week
from tiendo.db import among
from tiendo.figures.sql import report_at, run
from tiendo.reports.models import Report, ReportValue
from tiendo.units.models import Unit


@dataclass(slots=True)
class Figure:
    """A unit's figures at a week: the period of the report they come from (the week itself
    when fresh, an earlier one when carried forward) and its values by metric id."""

    period: str
    values: dict[int, int] = field(default_factory=dict)

    def fresh(self, week: Week | str) -> bool:
        return self.period == str(week)


def figures_by_week(session: Session, campaign: Campaign, unit_ids: Iterable[int],
                    weeks: list[Week]) -> dict[int, dict[str, Figure]]:
    """{unit id: {week: Figure}}; a week before the unit's first report is absent."""
    ids = sorted(set(unit_ids))
    out: dict[int, dict[str, Figure]] = {uid: {} for uid in ids}
    if not ids or not weeks:
        return out
    r = Report.__table__.alias("r")
    picked: dict[int, list[tuple[int, str]]] = {}  # report id → [(unit, week)]
    conn = session.connection()
    mine = among(conn, Unit.id, ids)
    for week in weeks:
        period = bindparam("week", str(week), type_=String)
        stmt = (select(Unit.id, report_at(r, campaign.id, Unit.id, period).label("rid"))
                .where(mine))
        for uid, rid in run(session, stmt):
            if rid is not None:
                picked.setdefault(rid, []).append((uid, str(week)))
    if not picked:
        return out
    rids = sorted(picked)
    periods = dict(run(session, select(Report.id, Report.period)
                       .where(among(conn, Report.id, rids))).all())
    values: dict[int, dict[int, int]] = {rid: {} for rid in rids}
    for rid, mid, value in run(session, select(ReportValue.report_id, ReportValue.metric_id,
                                               ReportValue.value)
                               .where(among(conn, ReportValue.report_id, rids))):
        values[rid][mid] = int(value)
    for rid, pairs in picked.items():
        for uid, week in pairs:
            out[uid][week] = Figure(periods[rid], values[rid])
    return out
