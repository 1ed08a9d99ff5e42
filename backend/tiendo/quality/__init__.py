"""Data quality: per-campaign rules checked on every report written, and flags (rule
warnings, outliers on weekly increments, suspicious patterns) a manager reviews before the
figures go to the level above."""
