"""The due list: a reporter's units, this week's state of each and earlier weeks left unsent.

Entries run campaign by campaign, newest week first, each week's units in tree order: every
expected unit for the current week, only the unsent ones for earlier weeks. A province's or the
nation's manager may report for the whole subtree, so the list can hold millions of entries:
each week's count comes from the kept reporting counts (`figures.status`, one statement for
all weeks), whole weeks before the page are skipped, and the page itself is read with
LIMIT/OFFSET in the path index's order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, null, select
from sqlmodel import Session
from sqlmodel import select as sm_select

from tiendo.auth.principal import Action, Principal
from tiendo.campaigns.calendar import Calendar, is_open_on
from tiendo.campaigns.models import Campaign
from tiendo.campaigns.service import get_campaign, list_campaigns
from tiendo.core.pagination import Page, PageParams
from tiendo.core.periods import Week
from tiendo.cycle.completeness import inline
from tiendo.cycle.schemas import DueEntry
from tiendo.figures.sql import run
from tiendo.figures.status import Tally, counts_over
from tiendo.figures.units import Expected
from tiendo.reports.models import Report
from tiendo.units.models import Unit
from tiendo.units.service import get_unit
from tiendo.units.subtrees import in_subtrees, tree_order

_U, _R = Unit.__table__, Report.__table__


@dataclass
class Scope:
    """Whose entries: the units in the subtrees at `roots` (the caller's reach)."""

    roots: list[Unit]

    def where(self, u):  # noqa: ANN001, ANN201 - a unit alias
        return in_subtrees(u.c.path, [r.path for r in self.roots])


@dataclass
class WeekGroup:
    campaign: Campaign
    calendar: Calendar
    expected: Expected  # read once per campaign, for its counts and its pages alike
    week: Week
    current: bool  # the running week lists every unit; earlier weeks only the unsent
    count: int


def due_page(session: Session, principal: Principal, campaign: str | None, unit: str | None,
             now: datetime, page: PageParams) -> Page[DueEntry]:
    if campaign is not None:
        campaigns = [get_campaign(session, principal, campaign, action=Action.report_write)]
    else:
        campaigns = [c for c in list_campaigns(session, principal, Action.report_write)
                     if Calendar(c).running(now)]
    if unit is not None:
        one = get_unit(session, principal, unit, Action.report_write, field="unit")
        return Page.of([e for c in campaigns for e in unit_entries(session, c, one, now)], page)
    paths = principal.paths(Action.report_write)
    scope = Scope(roots=list(session.exec(
        sm_select(Unit).where(Unit.path.in_(paths)).order_by(Unit.path)).all()))
    groups = [g for c in campaigns for g in week_groups(session, c, scope, now)]
    entries: list[DueEntry] = []
    offset, room = page.offset, page.limit
    for g in groups:
        if room <= 0:
            break
        if offset >= g.count:  # the whole week lies before the page
            offset -= g.count
            continue
        entries += week_entries(session, g, scope, now, min(room, g.count - offset), offset)
        room, offset = page.limit - len(entries), 0
    return Page(data=entries, count=sum(g.count for g in groups), limit=page.limit,
                offset=page.offset)


def week_groups(session: Session, campaign: Campaign, scope: Scope,
                now: datetime) -> list[WeekGroup]:
    """The campaign's weeks up to now, newest first, each with how many entries it holds."""
    cal = Calendar(campaign)
    weeks = cal.weeks_until(now)
    if not weeks:
        return []
    expected = Expected.of(session, campaign)
    owner = session.get(Unit, campaign.owner_unit_id)
    tallies = counts_over(session, campaign, within(scope.roots, owner), weeks, expected)
    out = []
    for week in reversed(weeks):
        t: Tally = tallies[str(week)]
        current = week == weeks[-1]
        n = t.on_time + t.late + t.unsent if current else t.unsent
        if n:
            out.append(WeekGroup(campaign, cal, expected, week, current, n))
    return out


def within(roots: list[Unit], owner: Unit) -> list[Unit]:
    """The caller's subtrees cut to the campaign's: a grant above the campaign owner counts
    from the owner down (not over the rest of the nation), one beside it not at all."""
    inside = [r for r in roots if r.path.startswith(owner.path)]
    return [owner] if any(owner.path.startswith(r.path) for r in roots) else inside


def week_entries(session: Session, group: WeekGroup, scope: Scope, now: datetime, limit: int,
                 offset: int) -> list[DueEntry]:
    """One slice of a week's entries in tree order, walked on the path index: the current
    week's units with their reports, an earlier week's units that have none (NOT EXISTS kept
    as a test per unit by OFFSET 0, so PostgreSQL does not hash the week's reports first)."""
    campaign, cal, expected, week = group.campaign, group.calendar, group.expected, group.week
    u, r = _U.alias("u"), _R.alias("r")
    of_week = and_(r.c.campaign_id == campaign.id, r.c.unit_id == u.c.id,
                   r.c.period == str(week))
    where = [expected.where(u, cal.due_date(week)), scope.where(u)]
    if group.current:
        stmt = (select(u.c.code, u.c.name, r.c.id, r.c.timeliness)
                .select_from(u.outerjoin(r, of_week)).where(*where))
    else:
        nothing = null()
        stmt = select(u.c.code, u.c.name, nothing, nothing).where(
            *where, ~select(r.c.id).where(of_week).offset(0).exists())
    due = cal.due(week)
    unsent = "due" if now < due else "overdue"
    rows = run(session, stmt.order_by(tree_order(u.c.path)).limit(inline(limit))
               .offset(inline(offset))).all()
    return [DueEntry(campaign=campaign.code, unit=code, unit_name=name, period=str(week),
                     due_at=due, status=timeliness or unsent, report_id=rid)
            for code, name, rid, timeliness in rows]


def unit_entries(session: Session, campaign: Campaign, unit: Unit,
                 now: datetime) -> list[DueEntry]:
    """One unit's entries, whole (one per week at most): whether the campaign counts the unit,
    its reports, and in which weeks it is open (`is_open_on`, the twin of the SQL rule)."""
    cal = Calendar(campaign)
    weeks = cal.weeks_until(now)
    expected = Expected.of(session, campaign)
    if not weeks or run(session, select(_U.c.id).where(
            _U.c.id == unit.id, expected.counted(_U))).first() is None:
        return []
    sent = {period: (rid, timeliness) for period, rid, timeliness in run(session, select(
        _R.c.period, _R.c.id, _R.c.timeliness).where(_R.c.campaign_id == campaign.id,
                                                        _R.c.unit_id == unit.id))}
    out = []
    for week in reversed(weeks):
        if not is_open_on(unit, cal.due_date(week)):
            continue
        rid, timeliness = sent.get(str(week), (None, None))
        if week == weeks[-1] or rid is None:
            due = cal.due(week)
            out.append(DueEntry(campaign=campaign.code, unit=unit.code, unit_name=unit.name,
                                period=str(week), due_at=due,
                                status=timeliness or ("due" if now < due else "overdue"),
                                report_id=rid))
    return out
