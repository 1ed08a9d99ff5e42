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
"""

from __future__ import annotations

import math
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


def is_outlier(x: float, own: list[float], peers: list[float], *, threshold: float,
               min_history: int, min_peers: int, min_jump: float) -> dict | None:
    """The figures that make x an outlier, or None."""
    if len(own) < min_history or len(peers) < min_peers:
        return None
    z_own, med_own = modified_z(x, own)
    z_peer, med_peer = modified_z(x, peers)
    if z_own <= threshold or z_peer <= threshold or x - max(med_own, med_peer) < min_jump:
        return None
    return {"z_own": _round(z_own), "z_peers": _round(z_peer), "median_own": med_own,
            "median_peers": med_peer, "peers": len(peers)}


def _round(z: float) -> float | str:
    return "∞" if math.isinf(z) else round(z, 1)
