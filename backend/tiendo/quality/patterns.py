"""The checks of one week over every unit the week expects, reading a `WeekData` built from
the figures engine: rule warnings on the week's reports, outliers of weekly increments, totals
far above the denominator, stale streaks, a denominator changing every week, and a total far
above the official count of the unit's area."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field

from tiendo.campaigns.models import Target
from tiendo.core.periods import Week
from tiendo.figures.values import Figure
from tiendo.quality.flags import Raised, rule_raised
from tiendo.quality.models import FlagKind, Severity
from tiendo.quality.outliers import Sample, is_outlier
from tiendo.quality.rules import RuleSpec, evaluate
from tiendo.quality.schemas import QualitySettingsIn
from tiendo.units.models import Unit


@dataclass
class WeekData:
    week: Week
    weeks: list[Week]  # oldest first, ending with `week`
    units: list[Unit]
    figures: dict[int, dict[str, Figure]]  # unit id → week → figure
    codes: dict[int, str]  # metric id → code
    weekly: dict[str, frozenset[str]]  # unit kind → weekly metric codes
    baselines: dict[tuple[int, str], int]  # (unit id, metric code) → value
    targets: list[tuple[Target, str, str]]  # target, numerator code, denominator code
    settings: QualitySettingsIn
    _values: dict[tuple[int, str], dict[str, int] | None] = field(default_factory=dict)

    def values(self, unit_id: int, week: Week) -> dict[str, int] | None:
        key = (unit_id, str(week))
        if key not in self._values:
            f = self.figures.get(unit_id, {}).get(str(week))
            self._values[key] = None if f is None else {self.codes[m]: v
                                                         for m, v in f.values.items()}
        return self._values[key]

    def fresh(self, unit_id: int, week: Week) -> bool:
        f = self.figures.get(unit_id, {}).get(str(week))
        return f is not None and f.fresh(week)

    def increment(self, unit_id: int, week: Week, code: str) -> int | None:
        """What the unit added in a week it reported for: figure(W) − figure(W−1)."""
        if not self.fresh(unit_id, week):
            return None
        now, before = self.values(unit_id, week), self.values(unit_id, week.shift(-1))
        if before is None or code not in now or code not in before:
            return None
        return now[code] - before[code]

    def denominator(self, unit_id: int, values: dict[str, int], code: str) -> int | None:
        return values.get(code, self.baselines.get((unit_id, code)))

    def targets_of(self, unit: Unit) -> list[tuple[Target, str, str]]:
        return [t for t in self.targets if t[0].unit_id == unit.id
                or (t[0].unit_id is None and unit.kind in t[0].unit_kinds)]


def rule_flags(d: WeekData, rules: tuple[RuleSpec, ...]) -> list[Raised]:
    """The rules re-checked on the week's stored reports (a rule added mid-campaign covers the
    reports sent before it)."""
    out: list[Raised] = []
    for u in d.units:
        if not d.fresh(u.id, d.week):
            continue
        found = evaluate(rules, u.kind, d.values(u.id, d.week),
                         d.values(u.id, d.week.shift(-1)),
                         lambda code, uid=u.id: d.baselines.get((uid, code)))
        out += rule_raised(u.id, str(d.week), found)
    return out


def outlier_flags(d: WeekData) -> list[Raised]:
    s, out = d.settings, []
    history = d.weeks[-1 - s.history_length:-1]
    by_kind: dict[str, list[Unit]] = defaultdict(list)
    for u in d.units:
        by_kind[u.kind].append(u)
    for kind, units in by_kind.items():
        for code in sorted(d.weekly.get(kind, ())):
            now = {u.id: x for u in units
                   if (x := d.increment(u.id, d.week, code)) is not None}
            peers = Sample(list(now.values()))  # each unit against all the others
            for uid, x in now.items():
                own = [y for w in history if (y := d.increment(uid, w, code)) is not None]
                why = is_outlier(x, own, peers, threshold=s.z_threshold,
                                 min_history=s.min_history, min_peers=s.min_peers,
                                 min_jump=s.min_jump)
                if why is None:
                    continue
                figures = {"metric": code, "increment": x,
                           "value": d.values(uid, d.week)[code],
                           "previous": d.values(uid, d.week.shift(-1))[code],
                           "own_increments": own, **why}
                out.append(Raised(
                    uid, str(d.week), FlagKind.outlier, code, Severity.warning,
                    f"'{code}' tăng {x} trong tuần, bất thường so với các tuần trước của đơn vị "
                    f"(trung vị {why['median_own']:g}) và các đơn vị cùng loại "
                    f"(trung vị {why['median_peers']:g}).", figures,
                    basis={k: figures[k] for k in ("metric", "value", "previous",
                                                   "own_increments")}))
    return out


def over_denominator_flags(d: WeekData) -> list[Raised]:
    ratio, out = d.settings.over_denominator_ratio, []
    for u in d.units:
        if not d.fresh(u.id, d.week):
            continue
        values = d.values(u.id, d.week)
        for target, num, den in d.targets_of(u):
            n, m = values.get(num), d.denominator(u.id, values, den)
            if n is None or not m or n <= ratio * m:
                continue
            out.append(Raised(
                u.id, str(d.week), FlagKind.over_denominator, target.code, Severity.warning,
                f"'{num}' ({n}) vượt xa '{den}' ({m}): {n / m:.0%} (ngưỡng {ratio:.0%}).",
                {"target": target.code, "numerator": num, "value": n, "denominator": den,
                 "denominator_value": m, "ratio": round(n / m, 3)}))
    return out


def _complete(d: WeekData, u: Unit, values: dict[str, int]) -> bool:
    """Every target of the unit met: steady figures are expected then."""
    targets = d.targets_of(u)
    for target, num, den in targets:
        m = d.denominator(u.id, values, den)
        if m is None or values.get(num, 0) < target.goal_ratio * m:
            return False
    return bool(targets)


def stale_flags(d: WeekData) -> list[Raised]:
    """The same figures sent `stale_streak` weeks running while most peers' figures moved."""
    n, out = d.settings.stale_streak, []
    span = d.weeks[-n:]
    first = span[0]

    def same_run(uid: int) -> bool:
        return all(d.fresh(uid, w) and d.values(uid, w) == d.values(uid, first) for w in span)

    # Peers still moving this very week: once most units have finished, steady is normal.
    # Counted once per kind; a unit is then left out of its own kind's counts.
    last = d.week.shift(-1)
    comparable: dict[int, bool] = {}  # unit id → moved, for units that can be compared
    for p in d.units:
        if d.fresh(p.id, d.week) and d.values(p.id, last) is not None:
            comparable[p.id] = d.values(p.id, d.week) != d.values(p.id, last)
    peers_of: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # kind → [peers, moved]
    for p in d.units:
        if p.id in comparable:
            peers_of[p.kind][0] += 1
            peers_of[p.kind][1] += comparable[p.id]
    for u in d.units:
        values = d.values(u.id, d.week)
        if not same_run(u.id) or _complete(d, u, values):
            continue
        peers, moved = peers_of[u.kind]
        if u.id in comparable:
            peers, moved = peers - 1, moved - comparable[u.id]
        if peers < 3 or moved * 2 < peers:
            continue
        out.append(Raised(
            u.id, str(d.week), FlagKind.stale, f"{n}w", Severity.warning,
            f"Số liệu giữ nguyên {n} tuần liền ({first}–{d.week}) trong khi "
            f"{moved}/{peers} đơn vị cùng loại vẫn thay đổi trong tuần.",
            {"weeks": [str(w) for w in span], "values": values, "peers_moved": moved,
             "peers": peers},
            basis={"weeks": [str(w) for w in span], "values": values}))
    return out


def churn_flags(d: WeekData) -> list[Raised]:
    """A reported denominator (e.g. staff_total) that changed in each of `churn_streak` weeks."""
    n, out = d.settings.churn_streak, []
    span = d.weeks[-n - 1:]
    for u in d.units:
        for den in sorted({den for _, _, den in d.targets_of(u)}):
            if den not in d.weekly.get(u.kind, ()):
                continue  # a baseline: set once, not reported
            series = [d.values(u.id, w).get(den) if d.fresh(u.id, w) else None for w in span]
            if None in series or any(a == b for a, b in zip(series, series[1:], strict=False)):
                continue
            out.append(Raised(
                u.id, str(d.week), FlagKind.denominator_churn, den, Severity.warning,
                f"'{den}' thay đổi cả {n} tuần liền: {', '.join(map(str, series))}.",
                {"metric": den, "weeks": [str(w) for w in span], "values": series}))
    return out


def official_flags(d: WeekData, counts: list[tuple[Unit, str, int, str]]) -> list[Raised]:
    """(unit, metric, official value, observed at) of the week: the figures reported in that
    unit's area, summed, far above the official count."""
    ratio, out = d.settings.official_ratio, []
    # Units in path order with running sums per metric: an area's units are one range of
    # paths ([path, path with its final '/' as '0')), summed in O(log n) per count.
    units = sorted(d.units, key=lambda u: u.path)
    paths = [u.path for u in units]
    running: dict[str, list[int]] = {}

    def reported_in(area: Unit, metric: str) -> int:
        if metric not in running:
            sums = running[metric] = [0]
            for u in units:
                v = d.values(u.id, d.week)
                sums.append(sums[-1] + (v.get(metric, 0) if v is not None else 0))
        sums = running[metric]
        return (sums[bisect_left(paths, area.path[:-1] + "0")]
                - sums[bisect_left(paths, area.path)])

    for area, metric, official, observed in counts:
        reported = reported_in(area, metric)
        if official <= 0 or reported <= ratio * official:
            continue
        out.append(Raised(
            area.id, str(d.week), FlagKind.above_official, metric, Severity.warning,
            f"Tổng '{metric}' báo cáo trên địa bàn ({reported}) gấp {reported / official:.1f} "
            f"lần số liệu chính thức ({official}, {observed}).",
            {"metric": metric, "reported": reported, "official": official,
             "observed_at": observed, "ratio": round(reported / official, 2)}))
    return out
