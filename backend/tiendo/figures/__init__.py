"""The one figures engine: what a unit's figure is at a week, and the sums built from it.

- `sql`: the definition (a unit's latest report at or before the week, carried forward and
  flagged stale when older) and the SQL pieces shared by every statement.
- `subtree`: per target, sums per child of a subtree for a week (progress) and totals for a run
  of weeks (the series), each in one statement.
- `units`: per target, each counted unit's own figures (exports, leaderboard, import template).
Which units a week expects comes from `tiendo.campaigns.calendar` (open at the due moment).
"""
