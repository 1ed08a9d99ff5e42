"""A campaign's quality rules, and what they say about one report's values.

A rule states what should hold: `measure(metric) op factor × right`. A rule whose inputs are
missing says nothing: a metric the report does not carry, a change on a unit's first report
(no figure the week before), a change in % of a zero, a right-hand metric neither in the
report nor set as the unit's baseline.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlmodel import Session, select

from tiendo.campaigns.models import Baseline, Metric
from tiendo.quality.models import Measure, Op, QualityRule, RightSide, Severity
from tiendo.quality.schemas import Finding

_OPS: dict[str, Callable[[float, float], bool]] = {
    Op.le: operator.le, Op.lt: operator.lt, Op.ge: operator.ge, Op.gt: operator.gt}
_SIGN = {Op.le: "≤", Op.lt: "<", Op.ge: "≥", Op.gt: ">"}


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """A rule as the write path keeps it (detached from any session; shared by threads)."""

    id: int
    metric: str
    measure: str
    op: str
    right: str
    right_metric: str | None
    factor: float
    constant: float | None
    unit_kinds: frozenset[str]
    severity: str
    message: str

    @classmethod
    def of(cls, r: QualityRule) -> RuleSpec:
        return cls(r.id, r.metric, r.measure, r.op, r.right, r.right_metric, r.factor,
                   r.constant, frozenset(r.unit_kinds), r.severity, r.message)

    def applies_to(self, kind: str) -> bool:
        return not self.unit_kinds or kind in self.unit_kinds

    def needs_baseline(self) -> bool:
        return self.right == RightSide.metric


def load_rules(session: Session, campaign_id: int) -> tuple[RuleSpec, ...]:
    rows = session.exec(select(QualityRule).where(QualityRule.campaign_id == campaign_id,
                                                  QualityRule.active)
                        .order_by(QualityRule.id)).all()
    return tuple(RuleSpec.of(r) for r in rows)


def baseline_lookup(session: Session, campaign_id: int, unit_id: int,
                    ) -> Callable[[str], int | None]:
    """The unit's baselines by metric code, read at most once and only when a rule asks."""
    cache: dict[str, int] | None = None

    def get(code: str) -> int | None:
        nonlocal cache
        if cache is None:
            cache = dict(session.exec(
                select(Metric.code, Baseline.value).join(Metric, Metric.id == Baseline.metric_id)
                .where(Baseline.campaign_id == campaign_id, Baseline.unit_id == unit_id)).all())
        return cache.get(code)

    return get


def _fmt(x: float) -> str:
    text = f"{x:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")  # 1.234,5


def evaluate(rules: tuple[RuleSpec, ...], kind: str, values: Mapping[str, int],
             previous: Mapping[str, int] | None,
             baseline: Callable[[str], int | None]) -> list[Finding]:
    """The rules of `kind` these values break, in rule order."""
    found: list[Finding] = []
    for rule in rules:
        if not rule.applies_to(kind) or rule.metric not in values:
            continue
        value = values[rule.metric]
        before = (previous or {}).get(rule.metric)
        if rule.measure == Measure.value:
            left: float = value
        elif before is None:
            continue  # a change needs last week's figure: never on a unit's first report
        elif rule.measure == Measure.change:
            left = value - before
        elif before == 0:
            continue
        else:
            left = abs(value - before) * 100 / before
        if rule.right == RightSide.constant:
            other, right = None, float(rule.constant or 0)
        else:
            other = values.get(rule.right_metric) if rule.right_metric in values \
                else baseline(rule.right_metric)
            if other is None:
                continue
            right = rule.factor * other
        if _OPS[rule.op](left, right):
            continue
        figures = {"metric": rule.metric, "measure": rule.measure, "value": value,
                   "previous": before, "left": round(left, 2), "op": rule.op,
                   "right": round(right, 2)}
        if other is not None:
            figures.update(right_metric=rule.right_metric, right_value=other,
                           factor=rule.factor)
        found.append(Finding(rule_id=rule.id, severity=Severity(rule.severity),
                             message=f"{rule.message} ({_explain(rule, left, right)})",
                             metric=rule.metric, figures=figures))
    return found


def _explain(rule: RuleSpec, left: float, right: float) -> str:
    what = {Measure.value: rule.metric, Measure.change: f"{rule.metric} tăng thêm",
            Measure.change_pct: f"{rule.metric} thay đổi %"}[Measure(rule.measure)]
    side = (f"{_fmt(rule.factor)} × {rule.right_metric}" if rule.right == RightSide.metric
            and rule.factor != 1 else rule.right_metric or "")
    limit = f"{side} = {_fmt(right)}" if side else _fmt(right)
    return f"{what} = {_fmt(left)}; cần {_SIGN[Op(rule.op)]} {limit}"
