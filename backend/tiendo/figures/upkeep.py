"""`tiendo rebuild-figures` and `tiendo check-figures`: the kept totals filled bottom-up, and
every kept row compared with the live engine."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, exists, select
from sqlmodel import Session

from tiendo.campaigns.calendar import Calendar
from tiendo.campaigns.models import Campaign
from tiendo.campaigns.service import targets_of
from tiendo.core.periods import Week
from tiendo.db import job_session
from tiendo.figures import subtree as live
from tiendo.figures.cache import TOTAL, changed
from tiendo.figures.kept import _FIELDS, Kept, pace_base_week
from tiendo.figures.subtree import Sums
from tiendo.units.models import Unit

_U = Unit.__table__
BATCH = 20  # nodes computed per stored batch: memory stays small, progress is kept


def _campaigns(session: Session, code: str | None) -> list[Campaign]:
    stmt = select(Campaign).order_by(Campaign.id)
    if code is not None:
        stmt = stmt.where(Campaign.code == code)
    return list(session.exec(stmt).scalars())


def _nodes(session: Session, campaign: Campaign) -> list[tuple[int, str]]:
    """(id, path) of the units with children in the campaign owner's subtree, and the owner's
    ancestors: deepest first, so that each node finds its children's totals kept."""
    owner = session.get(Unit, campaign.owner_unit_id)
    g = _U.alias("g")
    rows = session.connection().execute(
        select(_U.c.id, _U.c.path, _U.c.depth)
        .where(_U.c.path.startswith(owner.path, autoescape=True),
               exists().where(g.c.parent_id == _U.c.id))).all()
    above = session.connection().execute(
        select(_U.c.id, _U.c.path, _U.c.depth)
        .where(_U.c.id.in_([int(p) for p in owner.path.strip("/").split("/")[:-1]]))).all()
    return [(i, p) for i, p, _ in sorted([*rows, *above], key=lambda r: (-r[2], r[1]))]


def rebuild(engine: Engine, code: str | None, now: datetime,
            say: Callable[[str], None] = print, until: Week | None = None) -> int:
    """Forgets and recomputes the kept totals of every week up to the current one (or
    `until`); returns the number of (node, week) totals kept."""
    with job_session(engine) as session:
        campaigns = _campaigns(session, code)
        for c in campaigns:
            changed(session, c.id, None, None)
    kept_total = 0
    for campaign in campaigns:
        with job_session(engine) as session:
            targets = targets_of(session, campaign.id)
            weeks = [w for w in Calendar(campaign).weeks_until(now)
                     if until is None or w <= until]
            nodes = _nodes(session, campaign)
        if not targets or not weeks:
            continue
        for start in range(0, len(nodes), BATCH):
            with Session(engine, expire_on_commit=False) as session:
                kept = Kept(session, campaign, targets)
                batch = nodes[start:start + BATCH]
                kept.paths.update(batch)
                kept.totals([i for i, _ in batch], weeks)
                done = len(kept.pending)
                session.rollback()  # the read's transaction ends before the totals are kept
                kept.store(wait=True)
            kept_total += done
            say(f"{campaign.code}: {min(start + BATCH, len(nodes))}/{len(nodes)} nodes")
    return kept_total


@dataclass
class Difference:
    campaign: str
    unit_id: int
    week: str
    target_id: int
    kept: Sums | None
    live: Sums


def check(session: Session, code: str | None) -> tuple[int, list[Difference]]:
    """Every kept row against the live engine: (rows checked, differences)."""
    out: list[Difference] = []
    checked = 0
    for campaign in _campaigns(session, code):
        targets = targets_of(session, campaign.id)
        by_id = {t.id: t for t in targets}
        rows: dict[tuple[int, str], dict[int, Sums]] = defaultdict(dict)
        for r in session.connection().execute(
                select(TOTAL.c.unit_id, TOTAL.c.week, TOTAL.c.target_id,
                       *(TOTAL.c[f] for f in _FIELDS))
                .where(TOTAL.c.campaign_id == campaign.id)):
            rows[(r[0], r[1])][r[2]] = Sums(*r[3:])
        units = {u.id: u for u in session.connection().execute(
            select(_U).where(_U.c.id.in_(sorted({n for n, _ in rows})))).all()}
        for (node, week_text), kept in sorted(rows.items()):
            week = Week.parse(week_text)
            sums = live.sums_by_target(session, campaign, targets, units[node], week,
                                       pace_base_week(campaign, week))
            for target_id, stored in kept.items():
                checked += 1
                truth = sums.total(target_id) if target_id in by_id else None
                if truth is None or truth != stored:
                    out.append(Difference(campaign.code, node, week_text, target_id, stored,
                                          truth or Sums()))
            for t in targets:
                if t.id not in kept:
                    out.append(Difference(campaign.code, node, week_text, t.id, None,
                                          sums.total(t.id)))
    return checked, out
