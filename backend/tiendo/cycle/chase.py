"""Who to chase: the units missing, late or returned for the week(s) due, grouped by kind,
with the person to call. Built on `completeness` (who reported) and the progress figures
(how far each unit is from its target); no query of its own about either. A subtree of more
than a few thousand expected units is chased by its child areas instead (`chase_areas`)."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from tiendo.auth.principal import Action, Principal
from tiendo.campaigns.calendar import Calendar
from tiendo.campaigns.service import get_campaign, targets_of
from tiendo.core.pagination import PageParams
from tiendo.core.periods import Week
from tiendo.cycle import chase_areas
from tiendo.cycle.chase_areas import people
from tiendo.cycle.completeness import EVERY, completeness
from tiendo.cycle.locks import LockBook
from tiendo.cycle.schemas import (
    ChaseGroup,
    ChasePublic,
    ChaseUnit,
    ChaseWeek,
    CompletenessUnit,
    UnitSummary,
)
from tiendo.figures.units import unit_figures
from tiendo.units.models import Unit
from tiendo.units.service import resolve_under

# (key, Vietnamese label, unit kinds) in the order the district office calls them.
GROUPS: list[tuple[str, str, set[str]]] = [
    ("communes", "Xã, thị trấn", {"commune"}),
    ("agencies", "Cơ quan chuyên môn, đơn vị sự nghiệp", {"agency", "public_service"}),
    ("schools", "Trường học", {"school"}),
    ("party", "Đảng, MTTQ và các đoàn thể", {"party", "mass_org"}),
    ("other", "Đơn vị khác", set()),
]
# Missing first (past the deadline), then not yet in (deadline ahead), returned, late.
ORDER = {"missing": 0, "pending": 1, "returned": 2, "late": 3}
DEFAULT_LIMIT, MAX_LIMIT = 200, 1000  # units listed per group
WEEKDAYS = ["thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật"]


def group_of(kind: str) -> str:
    return next((key for key, _, kinds in GROUPS if kind in kinds), "other")


def weeks_due(session: Session, campaign, root: Unit, now: datetime) -> list[Week]:  # noqa: ANN001
    """The current week and, while it is still open (not locked), the week before: on Monday
    a unit that missed last Thursday can still send last week late, so it is still chased, and
    first, since its deadline has passed."""
    cal = Calendar(campaign)
    current = cal.current(now)
    weeks = [current]
    previous = current.shift(-1)
    if previous >= cal.first:
        book = LockBook(session, campaign, [str(previous)], now)
        if not book.state(root.path, str(previous)).locked:
            weeks.insert(0, previous)
    return weeks


def _figures(session: Session, campaign, root: Unit, week: Week) -> dict[int, tuple]:  # noqa: ANN001
    """unit id → (worst ratio against a goal, shortfall, latest report time, its week), from
    the progress figures of every target of the campaign."""
    out: dict[int, tuple] = {}
    for target in targets_of(session, campaign.id):
        for f in unit_figures(session, campaign, target, root, week):
            ratio = f.numerator / f.denominator if f.denominator else None
            short = target.goal_ratio - (ratio or 0.0)
            prev = out.get(f.unit_id)
            if prev is None or short > prev[1]:
                received, period = f.received_at, f.period
                if prev is not None and prev[2] is not None and (
                        received is None or prev[2] > received):
                    received, period = prev[2], prev[3]
                out[f.unit_id] = (ratio, short, received, period)
    return out


def _local(moment: datetime, tz: str) -> str:
    local = moment.astimezone(ZoneInfo(tz))
    return f"{local:%H:%M} {WEEKDAYS[local.weekday()]} {local:%d/%m/%Y}"


def week_label(week: Week) -> str:
    return f"tuần {week.week} ({week.monday:%d/%m}–{week.sunday:%d/%m/%Y})"


def _n(count: int) -> str:
    return f"{count:,}".replace(",", ".")


def zalo_message(campaign_name: str, tz: str, weeks: list[ChaseWeek], now: datetime) -> str:
    """A short message for the units' Zalo group naming who has still not reported (the units
    listed, the others counted; by areas: the areas listed with how many units each has not
    sent, for the areas to chase their own)."""
    lines = []
    for w in weeks:
        if w.areas:
            named = [(a.unit_name, a.not_reported) for a in w.areas if a.not_reported]
            names = [f"{name} ({_n(n)} đơn vị)" for name, n in named]
        else:
            named = [(u.unit_name, 1) for g in w.groups for u in g.units
                     if u.status in ("missing", "pending")]
            names = [name for name, _ in named]
        if not names:
            continue
        week, due = week_label(Week.parse(w.period)), _local(w.due_at, tz)
        if w.areas:
            head = (f"Còn {_n(w.not_reported)} đơn vị chưa nộp báo cáo {campaign_name} {week}"
                    + (f"; đề nghị các địa bàn đôn đốc nộp trước {due}:" if w.due_at > now
                       else f" (hạn {due}); đề nghị các địa bàn đôn đốc nộp ngay:"))
        elif w.due_at > now:
            head = f"Đề nghị các đơn vị sau nộp báo cáo {campaign_name} {week} trước {due}:"
        else:
            head = (f"Các đơn vị sau chưa nộp báo cáo {campaign_name} {week} (hạn {due}), "
                    "đề nghị nộp ngay:")
        more = w.missing + w.pending - sum(n for _, n in named)
        tail = f" và {_n(more)} đơn vị khác" if more > 0 else ""
        lines.append(head + " " + ", ".join(names) + tail + ".")
    if not lines:
        return ""
    return "\n".join(lines) + "\nTrân trọng cảm ơn!"


class Wanted(NamedTuple):
    """A unit to chase, before its row is built (only the listed ones are)."""

    unit: CompletenessUnit
    status: str
    figures: tuple


def _order(w: Wanted) -> tuple:
    """Missing before late; then the furthest from target (no figures at all: furthest)."""
    short = w.figures[1]
    return ORDER[w.status], -(short if short is not None else 10.0), w.unit.unit_name


def _rows(session: Session, listed: list[Wanted], period: str) -> list[ChaseUnit]:
    units = {u.id: u for u in session.exec(
        select(Unit).where(Unit.id.in_([w.unit.unit_id for w in listed] or [0])))}
    rows = []
    for cu, status, (ratio, short, received, last) in listed:
        unit = units[cu.unit_id]
        rows.append(ChaseUnit(
            unit_id=unit.id, unit=unit.code, unit_name=unit.name, kind=unit.kind,
            status=status, report_id=cu.report_id, **people(unit),
            last_report_at=received or cu.received_at,
            last_period=last or (period if cu.received_at else None),
            ratio=None if ratio is None else round(ratio, 3),
            shortfall=None if short is None else round(short, 3)))
    return rows


def unit_week(session: Session, principal: Principal, campaign, root: Unit, week: Week,  # noqa: ANN001
              now: datetime, limit: int) -> ChaseWeek:
    """The week due as units, in groups, each in chasing order: every expected unit of the
    subtree is read with its figures (a district: up to a few thousand)."""
    done = completeness(session, principal, campaign, str(week), root.code, now, EVERY)
    figures = _figures(session, campaign, root, week)
    wanted: dict[str, list[Wanted]] = {key: [] for key, _, _ in GROUPS}
    by = dict.fromkeys(ORDER, 0)
    for cu in done.data:
        status = ("returned" if cu.report_status == "returned"
                  else cu.status if cu.status in ("missing", "pending", "late") else None)
        if status is not None:
            by[status] += 1
            wanted[group_of(cu.kind)].append(
                Wanted(cu, status, figures.get(cu.unit_id, (None, None, None, None))))
    groups = []
    for key, label, _ in GROUPS:
        if wanted[key]:
            listed = sorted(wanted[key], key=_order)[:limit]
            groups.append(ChaseGroup(key=key, label=label, count=len(wanted[key]),
                                     units=_rows(session, listed, done.period)))
    return ChaseWeek(
        period=done.period, due_at=done.due_at, locked=done.locked,
        overdue=now >= done.due_at, expected=done.expected,
        reported=done.on_time + done.late, not_reported=done.missing,
        missing=by["missing"], pending=by["pending"], late=by["late"],
        returned=by["returned"], groups=groups)


def chase(session: Session, principal: Principal, campaign_ref: str, under: str | None,
          now: datetime, limit: int = DEFAULT_LIMIT) -> ChasePublic:
    """The units to chase, per week due, in groups; each group lists its first `limit` units
    in chasing order and counts them all. Above `chase_areas_above` expected units in a week due
    (a province, the nation), the child areas instead, the first `limit` of them."""
    campaign = get_campaign(session, principal, campaign_ref)
    root = resolve_under(session, principal, under, Action.manage)
    weeks = weeks_due(session, campaign, root, now)
    counted = []  # the weeks' counts alone (kept per node): they decide how to chase
    if chase_areas.has_areas(session, root):
        counted = [completeness(session, principal, campaign, str(week), root.code, now,
                                PageParams(limit=0, offset=0)) for week in weeks]
    by_areas = any(chase_areas.by_areas(done.expected) for done in counted)
    out_weeks = [chase_areas.area_week(session, campaign, root, done, now, limit)
                 for done in counted] if by_areas else \
        [unit_week(session, principal, campaign, root, week, now, limit) for week in weeks]
    return ChasePublic(
        campaign=campaign.code, campaign_name=campaign.name, as_of=now,
        under=UnitSummary(id=root.id, code=root.code, name=root.name),
        by="areas" if by_areas else "units", weeks=out_weeks,
        message=zalo_message(campaign.name, campaign.timezone, out_weeks, now))
