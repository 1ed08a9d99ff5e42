"""Checking one week of a campaign: gathers the figures (the figures engine), runs every check
of `tiendo.quality.patterns` and makes the stored flags of that week agree (idempotent: run it
as often as you like; the web page runs it when opened, `tiendo quality-scan` from cron)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from tiendo.campaigns.calendar import Calendar
from tiendo.campaigns.config import campaign_config
from tiendo.campaigns.models import Baseline, Campaign, Metric
from tiendo.core.periods import Week
from tiendo.figures.units import expected_filter
from tiendo.figures.values import figures_by_week
from tiendo.official.models import OfficialCount
from tiendo.quality import patterns
from tiendo.quality.flags import Outcome, upsert
from tiendo.quality.models import QualityFlag, QualitySettings
from tiendo.quality.rules import load_rules
from tiendo.quality.schemas import QualitySettingsIn
from tiendo.units.models import Unit


def settings_of(session: Session, campaign_id: int) -> QualitySettingsIn:
    row = session.get(QualitySettings, campaign_id)
    return QualitySettingsIn.model_validate(row.settings if row else {})


def week_data(session: Session, campaign: Campaign, week: Week) -> patterns.WeekData:
    config = campaign_config(session, None, campaign.id)
    settings = settings_of(session, campaign.id)
    span = max(settings.history_length, settings.stale_streak, settings.churn_streak) + 1
    weeks = [week.shift(-k) for k in range(span, -1, -1)]
    units = list(session.exec(select(Unit).where(*expected_filter(session, campaign, week))
                              .order_by(Unit.path)).all())
    codes = {m.id: m.code for m in config.metrics}
    kinds = {k for m in config.metrics for k in m.unit_kinds}
    weekly = {k: frozenset(m.code for m in config.metrics
                           if not m.is_baseline and k in m.unit_kinds) for k in kinds}
    baselines = {(uid, code): int(v) for uid, code, v in session.exec(
        select(Baseline.unit_id, Metric.code, Baseline.value)
        .join(Metric, Metric.id == Baseline.metric_id)
        .where(Baseline.campaign_id == campaign.id)).all()}
    targets = [(t, codes[t.numerator_metric_id], codes[t.denominator_metric_id])
               for t in config.targets]
    return patterns.WeekData(week, weeks, units,
                             figures_by_week(session, campaign, [u.id for u in units], weeks),
                             codes, weekly, baselines, targets, settings)


def official_counts(session: Session, campaign: Campaign, week: Week,
                    metrics: set[str]) -> list[tuple[Unit, str, int, str]]:
    """The newest official count per unit and metric observed during the week."""
    cal = Calendar(campaign)
    rows = session.exec(
        select(OfficialCount, Unit).join(Unit, Unit.id == OfficialCount.unit_id)
        .where(OfficialCount.observed_at >= cal.end(week.shift(-1)),
               OfficialCount.observed_at < cal.end(week),
               OfficialCount.metric.in_(sorted(metrics)),
               (OfficialCount.campaign_id == campaign.id) | OfficialCount.campaign_id.is_(None))
        .order_by(OfficialCount.observed_at)).all()
    newest: dict[tuple[int, str], tuple[Unit, str, int, str]] = {}
    for count, unit in rows:
        observed = count.observed_at.astimezone(cal.end(week).tzinfo)
        newest[(unit.id, count.metric)] = (unit, count.metric, count.value,
                                           f"{observed:%H:%M %d/%m/%Y}")
    return list(newest.values())


def scan_week(session: Session, campaign: Campaign, week: Week, now: datetime) -> Outcome:
    """Runs every check of the week and stores what they find."""
    d = week_data(session, campaign, week)
    metrics = {code for code in d.codes.values()}
    raised = [*patterns.rule_flags(d, load_rules(session, campaign.id)),
              *patterns.outlier_flags(d), *patterns.over_denominator_flags(d),
              *patterns.stale_flags(d), *patterns.churn_flags(d),
              *patterns.official_flags(d, official_counts(session, campaign, week, metrics))]
    scope = list(session.exec(select(QualityFlag).where(QualityFlag.campaign_id == campaign.id,
                                                        QualityFlag.period == str(week))).all())
    return upsert(session, campaign.id, raised, scope, now)
