"""A district's children are judged by the same rules as the district itself: `_children`
counts days where `judge` makes dates (a thousand children, no date made for each); for any
figures, pace and dates, both give the same remainder, ratio and status."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import example, given
from hypothesis import strategies as st

from tiendo.campaigns.models import Target
from tiendo.figures.subtree import Child, Sums
from tiendo.progress.service import AT_RISK_DAYS, Goal, _children, judge

REF = date(2024, 7, 18)


@given(numerator=st.integers(0, 5_000), denominator=st.integers(-1, 5_000),
       base=st.integers(0, 5_000), weeks=st.integers(0, 3),
       goal=st.sampled_from([0.5, 0.95, 1.0]), deadline_in=st.integers(-30, 200))
@example(numerator=90, denominator=100, base=80, weeks=3, goal=1.0, deadline_in=21)  # on track
@example(numerator=90, denominator=100, base=88, weeks=1, goal=1.0,
         deadline_in=35 - AT_RISK_DAYS)  # at risk: 35 days needed
@example(numerator=100, denominator=100, base=0, weeks=3, goal=1.0, deadline_in=-1)  # met
@example(numerator=90, denominator=100, base=80, weeks=1, goal=1.0, deadline_in=7)  # 7 days: on time
@example(numerator=90, denominator=100, base=80, weeks=1, goal=1.0, deadline_in=6)  # a day late
@example(numerator=50, denominator=100, base=0, weeks=1, goal=1.0, deadline_in=-1)  # passed
@example(numerator=50, denominator=100, base=0, weeks=1, goal=1.0, deadline_in=0)  # due today
def test_a_child_is_judged_as_its_parent_is(numerator, denominator, base, weeks, goal,
                                            deadline_in) -> None:  # noqa: ANN001
    deadline = REF + timedelta(days=deadline_in)
    target = Target(goal_ratio=goal, deadline=deadline, upstream_deadline=None)
    sums = Sums(expected=1, fresh=1, numerator=numerator, denominator=denominator,
                base_numerator=base)
    [child] = _children(target, {"7": sums}, weeks, REF, {"7": Child(7, "X", "X", "school")})
    parent = judge(Goal.of(target), sums, weeks, REF)
    assert (child["status"], child["remaining"], child["ratio"]) == (
        parent.status, parent.remaining, None if parent.ratio is None else round(parent.ratio, 3))
