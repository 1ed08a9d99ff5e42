"""The `count` of a report list without counting millions of rows when the kept reporting
counts already know it. At the nation a campaign holds 99,100 units × 52 weeks: counting its
reports for the list's `count` read ~5 M rows (1.7 s) for a number nobody pages to the end of.

For a whole subtree, a campaign and optionally one week (no unit, no status filter), the number
of its reports is, exactly:

- for each of the campaign's weeks up to the current one, the units the week expects that sent
  their report: on time + late of the kept counts (`tiendo.figures.status`, one row per node,
  week and kind, computed one level down when missing), read in one statement;
- plus the reports the kept counts do not see: those of weeks outside these (before the first,
  after the current one, or after an end date moved earlier), found on the (campaign, period)
  index; and those of units a week does not expect (a kind no target covers, not open at the
  due moment, outside the campaign's owner), counted from the few units that can be so in any
  of the weeks (another kind, outside the owner, closed or opened within the campaign), each
  report checked against the very rule the kept counts use (`Expected`).

Any other filter, a caller reading several separate subtrees, or the kept counts switched off:
the plain count (a unit, a status or a week of one subtree is a small range)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, not_, or_, select
from sqlmodel import Session

from tiendo.campaigns.calendar import Calendar, open_on
from tiendo.campaigns.models import Campaign
from tiendo.core.periods import Week
from tiendo.figures.kept import enabled, has_children
from tiendo.figures.sql import run
from tiendo.figures.status import KeptCounts
from tiendo.figures.units import Expected
from tiendo.reports.models import Report
from tiendo.units.models import Unit
from tiendo.units.subtrees import in_subtree


def kept_report_count(session: Session, campaign: Campaign, root: Unit, period: str | None,
                      now: datetime) -> int | None:
    """The number of the campaign's reports in `root`'s subtree (of `period` only, if given),
    or None when the kept counts cannot tell (switched off, or `root` has no children: its
    reports are a small range to count)."""
    if not enabled(session) or not has_children(session, root.id):
        return None
    cal = Calendar(campaign)
    weeks = [w for w in cal.weeks_until(now) if period is None or str(w) == period]
    expected = Expected.of(session, campaign)
    kept = KeptCounts(session, campaign, expected)
    kept.paths[root.id] = root.path
    kept.stamp([root.id])  # before anything is read, the tree's shape included
    totals = kept.totals([root.id], weeks)
    kept.store()
    sent = sum(t.on_time + t.late for counts in totals.values() for t in counts.values())
    return sent + _unseen(session, campaign, root, period, weeks, expected)


def _unseen(session: Session, campaign: Campaign, root: Unit, period: str | None,
            weeks: list[Week], expected: Expected) -> int:
    """Reports in the subtree that the kept counts of `weeks` leave out (see the module)."""
    u, r = Unit.__table__.alias("u"), Report.__table__.alias("r")
    cal = Calendar(campaign)
    base = [r.c.campaign_id == campaign.id, in_subtree(u.c.path, root.path)]
    if period is not None:
        base.append(r.c.period == period)
    joined = r.join(u, u.c.id == r.c.unit_id)
    if not weeks:  # none of the kept weeks: every report is unseen
        return run(session, select(func.count()).select_from(joined).where(*base)).scalar()
    names = [str(w) for w in weeks]
    outside = run(session, select(func.count()).select_from(joined).where(
        *base, or_(r.c.period < names[0], r.c.period > names[-1]))).scalar()
    first, last = cal.due_date(weeks[0]), cal.due_date(weeks[-1])
    # Units unexpected in some of the weeks: a superset (opening hours are one interval, so a
    # unit open at the first and the last due dates is open at every one between).
    maybe = or_(not_(expected.where(u, first)), not_(open_on(u, last)))
    due = case({n: cal.due_date(w) for n, w in zip(names, weeks, strict=True)},
               value=r.c.period)
    unexpected = run(session, select(func.count()).select_from(joined).where(
        *base, maybe, r.c.period.in_(names), not_(expected.where(u, due)))).scalar()
    return outside + unexpected


def root_of_scope(session: Session, paths: list[str]) -> Unit | None:
    """The unit whose subtree is the caller's whole reach, when that is one subtree."""
    if len(paths) != 1:
        return None
    return session.scalars(select(Unit).where(Unit.path == paths[0])).first()
