"""Weekly series per target for a subtree (for charts) and the public leaderboard."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from tiendo.auth.principal import Principal
from tiendo.campaigns.calendar import Calendar
from tiendo.campaigns.service import get_campaign, targets_of
from tiendo.errors import NotFound
from tiendo.figures.kept import totals_by_week
from tiendo.figures.units import unit_figures
from tiendo.progress.schemas import (
    LeaderboardPublic,
    LeaderboardTarget,
    SeriesPoint,
    SeriesPublic,
    TargetSeries,
)
from tiendo.progress.service import (
    ranked,
    ratio_of,
    rounded,
    unit_ref,
)
from tiendo.reorg.lineage import lineage_totals
from tiendo.reorg.service import lineage_of
from tiendo.units.models import Unit
from tiendo.units.service import resolve_under


def progress_series(session: Session, principal: Principal, campaign_ref: str,
                    under_ref: str | None, now: datetime) -> SeriesPublic:
    """For each target that counts a unit under `under`, one point per campaign week from the
    first to the current one (or the last, once the campaign is over), each summing every
    unit's latest report at or before that week, exactly as GET /progress does."""
    campaign = get_campaign(session, principal, campaign_ref)
    under = resolve_under(session, principal, under_ref)
    targets = targets_of(session, campaign.id)
    # Every week in one statement; a week in which a target counts no unit under `under` has
    # no point.
    weeks = Calendar(campaign).weeks_until(now)
    totals = totals_by_week(session, campaign, targets, under, weeks)
    # A unit formed by a reorganisation: its predecessors' shares before it opened.
    before = lineage_totals(session, campaign, targets, under, weeks)

    def point(period: str, num: int, den: int) -> SeriesPoint:
        return SeriesPoint(period=period, numerator=num, denominator=den,
                           ratio=rounded(ratio_of(num, den)))

    out = [TargetSeries(target_id=t.id, code=t.code, name=t.name, goal_ratio=t.goal_ratio,
                        points=[point(w.week, w.numerator, w.denominator) for w in totals[t.id]],
                        lineage=[point(*x) for x in before[t.id]])
           for t in targets if totals[t.id] or before[t.id]]
    formed_from = lineage_of(session, [under.id])[under.id][0]
    return SeriesPublic(campaign=campaign.code, under=unit_ref(under), targets=out,
                        formed_from=formed_from)


def leaderboard(session: Session, campaign_ref: str, now: datetime) -> LeaderboardPublic:
    """The culture office's public ranking: every unit a target counts in the campaign's
    district, by rate, as of the current week. Only unit names and rates: no sender, no count
    of people. A campaign that has not switched it on does not exist here (404)."""
    try:
        campaign = get_campaign(session, None, campaign_ref)
    except NotFound:
        campaign = None
    if campaign is None or not campaign.public_leaderboard:
        raise NotFound("Không có bảng xếp hạng công khai cho chiến dịch này.",
                       field="campaign", code="leaderboard_not_found")
    owner = session.get(Unit, campaign.owner_unit_id)
    week = Calendar(campaign).current(now)
    targets = []
    for target in targets_of(session, campaign.id):
        rows = unit_figures(session, campaign, target, owner, week)
        units = [{"unit": r.code, "unit_name": r.name, "kind": r.kind,
                  "ratio": ratio_of(r.numerator, r.denominator or 0), "rank": None}
                 for r in rows]
        targets.append(LeaderboardTarget(code=target.code, name=target.name,
                                         units=ranked(units)))
    return LeaderboardPublic(campaign=campaign.code, name=campaign.name, period=str(week),
                             as_of=now, targets=targets)
