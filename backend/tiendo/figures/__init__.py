"""The one figures engine: what a unit's figure is at a week, and the sums built from it.

- `sql`: the definition (a unit's latest report at or before the week, carried forward and
  flagged stale when older) and the SQL pieces shared by every statement.
- `subtree`: per target (or per `Counted`: a metric over the units that report it), sums per
  child of a subtree for a week (progress, the weekly export), in one statement.
- `weekly`: per target, whole-subtree sums for a run of weeks in one statement (the series,
  and what the kept totals of `kept` are filled from).
- `units`: per target, each counted unit's own figures (exports, leaderboard, import template).
Which units a week expects comes from `tiendo.campaigns.calendar` (open at the due moment).
"""
