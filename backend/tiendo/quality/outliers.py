"""Outliers on weekly increments (campaign counts are cumulative, so the checks look at what a
unit added in a week: figure(W) − figure(W−1), both from the figures engine).

A unit's increment is an outlier when it is far above BOTH its own recent increments and the
increments of its peers of the same kind that week, each measured by the modified z-score
0.6745·(x − median)/MAD (Iglewicz and Hoaglin). Both, because each alone gives false alarms
on this data: the whole district speeds up the week before a deadline (every unit far above
its own history, none above its peers), and a big commune always adds more than a small one
(far above its peers, never above itself). Only upward: a decrease already needs a note.

MAD = 0 (half the values equal, e.g. steady units adding nothing): the mean absolute deviation
scaled as for a normal distribution (x − median)/(1.2533·MeanAD) stands in; when that is 0
too (all values equal) any increment above the median counts as far. Small numbers never flag:
the increment must also exceed the larger median by `min_jump`. A unit needs `min_history`
increments of its own (its first reports alone never raise a flag) and `min_peers` peers.

Peers are every other unit of the kind: a unit's reference is the week's sample without it.
`Sample` answers that leave-one-out z-score from the sample sorted once (removing one value
from a sorted list moves its median, and the median of the deviations from it, by index
arithmetic), exactly as `modified_z` would on the n − 1 others: a national kind of 50,000
schools costs n log n, not n² log n.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from statistics import mean, median

MEANAD_SCALE = 1.2533  # √(π/2): MeanAD of a normal distribution is σ/1.2533


def modified_z(x: float, reference: list[float]) -> tuple[float, float]:
    """(z, median) of x against reference (non-empty)."""
    med = median(reference)
    deviations = [abs(r - med) for r in reference]
    mad = median(deviations)
    if mad > 0:
        return 0.6745 * (x - med) / mad, med
    mean_ad = mean(deviations)
    if mean_ad > 0:
        return (x - med) / (MEANAD_SCALE * mean_ad), med
    return (math.inf if x > med else -math.inf if x < med else 0.0), med


def _median_without(ordered: list[float], i: int) -> float:
    """statistics.median of `ordered` (sorted) without its element at index i."""
    n = len(ordered) - 1

    def at(j: int) -> float:
        return ordered[j] if j < i else ordered[j + 1]

    k = n // 2
    return at(k) if n % 2 else (at(k - 1) + at(k)) / 2


def _z(x: float, med: float, mad: float, mean_ad: float) -> float:
    if mad > 0:
        return 0.6745 * (x - med) / mad
    if mean_ad > 0:
        return (x - med) / (MEANAD_SCALE * mean_ad)
    return math.inf if x > med else -math.inf if x < med else 0.0


class Sample:
    """The week's increments of one kind; `without(x)` is modified_z(x, the others) for a
    member x (one of its occurrences left out)."""

    def __init__(self, values: list[float]) -> None:
        self.ordered = sorted(values)
        self.others = len(values) - 1
        self._deviations: dict[float, tuple[list[float], float]] = {}

    def _from(self, med: float) -> tuple[list[float], float]:
        # Only a few distinct medians occur (the one left out is below, at or above the middle).
        if med not in self._deviations:
            deviations = sorted(abs(r - med) for r in self.ordered)
            self._deviations[med] = (deviations, sum(deviations))
        return self._deviations[med]

    def without(self, x: float) -> tuple[float, float]:
        med = _median_without(self.ordered, bisect_left(self.ordered, x))
        deviations, total = self._from(med)
        own = abs(x - med)
        mad = _median_without(deviations, bisect_left(deviations, own))
        mean_ad = (total - own) / self.others
        return _z(x, med, mad, mean_ad), med


def is_outlier(x: float, own: list[float], peers: Sample, *, threshold: float,
               min_history: int, min_peers: int, min_jump: float) -> dict | None:
    """The figures that make x (a member of `peers`) an outlier, or None."""
    if len(own) < min_history or peers.others < min_peers:
        return None
    z_own, med_own = modified_z(x, own)
    z_peer, med_peer = peers.without(x)
    if z_own <= threshold or z_peer <= threshold or x - max(med_own, med_peer) < min_jump:
        return None
    return {"z_own": _round(z_own), "z_peers": _round(z_peer), "median_own": med_own,
            "median_peers": med_peer, "peers": peers.others}


def _round(z: float) -> float | str:
    return "∞" if math.isinf(z) else round(z, 1)
