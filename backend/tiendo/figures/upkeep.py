"""`tiendo rebuild-figures` and `tiendo check-figures`: the kept totals and reporting counts
filled bottom-up, and every kept row compared with the live engine."""

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
from tiendo.figures.cache import STATUS, TOTAL, changed
from tiendo.figures.kept import _FIELDS, Kept, pace_base_week
from tiendo.figures.status import MARKER, Counts, KeptCounts, Tally, counts_by_week
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
    """Forgets and recomputes the kept totals and counts of every week up to the current one
    (or `until`); returns the number of (node, week) totals kept (counts: as many again)."""
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
        if not weeks:
            continue
        for start in range(0, len(nodes), BATCH):
            with Session(engine, expire_on_commit=False) as session:
                batch = nodes[start:start + BATCH]
                keepers = [KeptCounts(session, campaign)]
                if targets:
                    keepers.append(Kept(session, campaign, targets))
                for kept in keepers:
                    kept.paths.update(batch)
                    kept.totals([i for i, _ in batch], weeks)
                done = len(keepers[-1].pending)
                session.rollback()  # the read's transaction ends before anything is kept
                for kept in keepers:
                    kept.store(wait=True)
            kept_total += done
            say(f"{campaign.code}: {min(start + BATCH, len(nodes))}/{len(nodes)} nodes")
    return kept_total


@dataclass
class Difference:
    """A kept row that is not the live answer: a target's totals (`target_id`), or the
    reporting counts (`target_id` None; `kept` and `live` per kind)."""

    campaign: str
    unit_id: int
    week: str
    target_id: int | None
    kept: Sums | Counts | None
    live: Sums | Counts

    @property
    def what(self) -> str:
        return f"target {self.target_id}" if self.target_id is not None else "reporting counts"


def check(session: Session, code: str | None) -> tuple[int, list[Difference]]:
    """Every kept row against the live engine: (rows checked, differences)."""
    checked, out = check_totals(session, code)
    counted, more = check_counts(session, code)
    return checked + counted, out + more


def check_totals(session: Session, code: str | None) -> tuple[int, list[Difference]]:
    """Every kept row of the progress totals against the live engine: a node's with one
    statement per (node, week); a childless unit's with one per (parent, week), which gives
    every childless child of the parent (a district's 1,000 leaves: one statement, not 1,000)."""
    out: list[Difference] = []
    checked = 0
    # Every unit, read once (a nation's kept leaves would overflow an IN list's parameters).
    units = {u.id: u for u in session.connection().execute(select(_U)).all()}
    parents = {u.parent_id for u in units.values()}
    for campaign in _campaigns(session, code):
        targets = targets_of(session, campaign.id)
        ids = [t.id for t in targets]
        rows: dict[tuple[int, str], dict[int, Sums]] = defaultdict(dict)
        for r in session.connection().execute(
                select(TOTAL.c.unit_id, TOTAL.c.week, TOTAL.c.target_id,
                       *(TOTAL.c[f] for f in _FIELDS))
                .where(TOTAL.c.campaign_id == campaign.id)):
            rows[(r[0], r[1])][r[2]] = Sums(*r[3:])
        leaves: dict[tuple[int, str], list[int]] = defaultdict(list)
        for (node, week_text), kept in sorted(rows.items()):
            parent = units[node].parent_id
            if node not in parents and parent is not None:
                leaves[(parent, week_text)].append(node)
                continue
            week = Week.parse(week_text)
            sums = live.sums_by_target(session, campaign, targets, units[node], week,
                                       pace_base_week(campaign, week))
            checked += _compare(out, campaign, ids, node, week_text, kept, sums.total)
        for (parent, week_text), nodes in sorted(leaves.items()):
            week = Week.parse(week_text)
            sums = live.sums_by_target(session, campaign, targets, units[parent], week,
                                       pace_base_week(campaign, week), shallow=True)
            for node in nodes:
                own = {t.id: sums.by_target[t.id].get(str(node), Sums()) for t in targets}
                checked += _compare(out, campaign, ids, node, week_text,
                                    rows[(node, week_text)], own.__getitem__)
    return checked, out


def _compare(out: list[Difference], campaign: Campaign, ids: list[int], node: int, week: str,
             kept: dict[int, Sums], truth: Callable[[int], Sums]) -> int:
    """Appends to `out` where a node's kept rows at a week differ from `truth` (per target id),
    a row kept for no target of the campaign (`ids`: its targets'), or a target without its
    row; the rows checked."""
    for target_id, stored in kept.items():
        live_sums = truth(target_id) if target_id in ids else None
        if live_sums is None or live_sums != stored:
            out.append(Difference(campaign.code, node, week, target_id, stored,
                                  live_sums or Sums()))
    for target_id in ids:
        if target_id not in kept:
            out.append(Difference(campaign.code, node, week, target_id, None, truth(target_id)))
    return len(kept)


def check_counts(session: Session, code: str | None) -> tuple[int, list[Difference]]:
    """Every kept (node, week) of reporting counts against a live count (one statement per
    node for all its kept weeks)."""
    out: list[Difference] = []
    checked = 0
    for campaign in _campaigns(session, code):
        rows: dict[int, dict[str, Counts]] = defaultdict(lambda: defaultdict(dict))
        for node, week, kind, *tally in session.connection().execute(
                select(STATUS.c.unit_id, STATUS.c.week, STATUS.c.kind, STATUS.c.on_time,
                       STATUS.c.late, STATUS.c.unsent)
                .where(STATUS.c.campaign_id == campaign.id)):
            rows[node][week][kind] = Tally(*tally)
        units = {u.id: u for u in session.connection().execute(
            select(_U).where(_U.c.id.in_(sorted(rows)))).all()}
        for node, by_week in sorted(rows.items()):
            weeks = sorted(by_week)
            live = counts_by_week(session, campaign, units[node], [Week.parse(w) for w in weeks])
            for week in weeks:
                checked += 1
                kept = dict(by_week[week])
                marker = kept.pop(MARKER, None)
                if marker != Tally() or kept != live[week]:
                    out.append(Difference(campaign.code, node, week, None,
                                          kept if marker is not None else None, live[week]))
    return checked, out
