"""Hand-written baselines the API is measured against: progress in one SQL statement per target,
and a raw executemany of report rows."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, text

# For each unit in the subtree of the kinds the target applies to: the period of its latest
# report at or before the period (a correlated MAX, one seek in the (campaign, unit, period)
# unique index per unit, starting from the units), that report's numerator and denominator,
# summed. A baseline denominator (population) comes from `baseline`.
PROGRESS_SQL = text("""
WITH latest AS MATERIALIZED (  -- units first: else SQLite starts from every report
  SELECT u.id AS unit_id,
         (SELECT MAX(r2.period) FROM report r2
          WHERE r2.campaign_id = :campaign AND r2.unit_id = u.id
            AND r2.period <= :period) AS period
  FROM unit u
  WHERE u.active AND u.path LIKE :prefix AND u.kind IN :kinds)
SELECT COALESCE(SUM(nv.value), 0) AS numerator,
       COALESCE(SUM(COALESCE(dv.value, b.value)), 0) AS denominator,
       COUNT(r.id) AS units_counted
FROM latest
JOIN report r ON r.campaign_id = :campaign AND r.unit_id = latest.unit_id
             AND r.period = latest.period
LEFT JOIN report_value nv ON nv.report_id = r.id AND nv.metric_id = :num
LEFT JOIN report_value dv ON dv.report_id = r.id AND dv.metric_id = :den
LEFT JOIN baseline b ON b.unit_id = latest.unit_id AND b.metric_id = :den
""").bindparams(bindparam("kinds", expanding=True))


@dataclass
class TargetSpec:
    code: str
    numerator_metric_id: int
    denominator_metric_id: int
    unit_kinds: list[str]


def load_targets(conn: Connection, campaign_id: int) -> list[TargetSpec]:
    rows = conn.execute(text("SELECT code, numerator_metric_id, denominator_metric_id, unit_kinds "
                             "FROM target WHERE campaign_id = :c ORDER BY id"),
                        {"c": campaign_id}).all()
    return [TargetSpec(code, n, d, json.loads(k) if isinstance(k, str) else k)
            for code, n, d, k in rows]


def progress(conn: Connection, campaign_id: int, unit_path: str, period: str,
             targets: list[TargetSpec]) -> dict[str, tuple[int, int, int]]:
    """{target code: (numerator, denominator, units counted)} for the unit's subtree."""
    out = {}
    for t in targets:
        row = conn.execute(PROGRESS_SQL, {
            "campaign": campaign_id, "period": period, "num": t.numerator_metric_id,
            "den": t.denominator_metric_id, "prefix": unit_path + "%", "kinds": t.unit_kinds,
        }).one()
        out[t.code] = (int(row[0]), int(row[1]), int(row[2]))
    return out


def raw_insert_reports(conn: Connection, reports: list[tuple], values: list[tuple]) -> None:
    """Driver executemany, no checks: the limit a bulk import is compared with."""
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    cur = conn.connection.driver_connection.cursor()
    cur.executemany(
        "INSERT INTO report (id, campaign_id, unit_id, period, status, timeliness, version, "
        "source, sender_name, note, received_at, updated_at) VALUES ("
        + ", ".join([mark] * 12) + ")", reports)
    cur.executemany("INSERT INTO report_value (report_id, metric_id, value) VALUES ("
                    + ", ".join([mark] * 3) + ")", values)
