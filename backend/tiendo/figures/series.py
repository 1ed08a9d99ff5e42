"""Every target's totals over a subtree for a run of weeks, in one statement (the weekly
series): the figures of `tiendo.figures.weekly`'s builder, of which a chart needs only the
units expected, the numerator and the denominator of each week."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from tiendo.campaigns.models import Campaign, Target
from tiendo.core.periods import Week
from tiendo.figures.weekly import sums_by_week
from tiendo.units.models import Unit


@dataclass(frozen=True, slots=True)
class WeekTotal:
    week: str
    expected: int
    numerator: int
    denominator: int


def totals_by_week(session: Session, campaign: Campaign, targets: list[Target], root: Unit,
                   weeks: list[Week]) -> dict[int, list[WeekTotal]]:
    """Per target id, its totals over `root`'s subtree for each of `weeks` in which it counts
    at least one unit (weeks in order)."""
    sums = sums_by_week(session, campaign, targets, root, weeks)
    return {t.id: [WeekTotal(str(w), s.expected, s.numerator, s.denominator)
                   for w in weeks if (s := sums[str(w)][t.id]).expected]
            for t in targets}
