"""Who has reported: on time, late, missing or still pending, for a week and a subtree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Integer, String, and_, bindparam, null, select
from sqlmodel import Session

from tiendo.auth.principal import Principal
from tiendo.campaigns.calendar import Calendar, reporting_status
from tiendo.campaigns.models import Campaign
from tiendo.campaigns.service import get_campaign
from tiendo.core.pagination import PageParams
from tiendo.core.periods import Week
from tiendo.cycle.locks import LockBook
from tiendo.cycle.schemas import (
    CompletenessPublic,
    CompletenessUnit,
    UnitSummary,
)
from tiendo.errors import NotFound
from tiendo.figures.sql import run
from tiendo.figures.status import status_counts
from tiendo.figures.units import Expected
from tiendo.reports.models import Report
from tiendo.units.models import Unit
from tiendo.units.service import find_unit, get_unit, resolve_under
from tiendo.units.subtrees import in_subtree

# Chasing order: who has not sent first, then who sent late, then the rest; communes before
# agencies and schools (the order a district calls them), then by code.
STATUS_RANK = {"missing": 0, "late": 1, "pending": 2, "on_time": 3}
KIND_ORDER = ["commune", "agency", "public_service", "school", "party", "mass_org", "village",
              "district", "city"]


# Internal readers that act on every unit of a district (the chase list, reminders).
EVERY = PageParams(limit=2**31 - 1, offset=0)


@dataclass
class CompletenessFilter:
    statuses: list[str] | None = None
    kind: str | None = None


def completeness(session: Session, principal: Principal | None, campaign: Campaign | str,
                 period: str | None, under: str | None, now: datetime,
                 page: PageParams | None = None,
                 only: CompletenessFilter | None = None) -> CompletenessPublic:
    """The week's counts over the whole subtree (kept per node and week: see
    tiendo.figures.status) and one page of its units in chasing order, fetched group by group
    ((status, kind) in that order, each by code with LIMIT/OFFSET): the counts say how many
    each group holds, so whole groups are skipped and the nation's units are never sorted."""
    if not isinstance(campaign, Campaign):
        campaign = get_campaign(session, principal, campaign)
    page = page or PageParams(limit=50, offset=0)
    only = only or CompletenessFilter()
    cal = Calendar(campaign)
    week = cal.week(period, now)
    if under is not None:
        root = (get_unit(session, principal, under, field="under") if principal is not None
                else get_unit_unchecked(session, under))
    elif principal is not None:
        root = resolve_under(session, principal, None)
    else:
        root = session.get(Unit, campaign.owner_unit_id)
    due = cal.due(week)
    # Before the deadline an unreported unit is pending, after it missing (reporting_status).
    unsent = reporting_status(None, None, week, due, now)
    expected_units = Expected.of(session, campaign)
    by_kind = {kind: {"on_time": t.on_time, "late": t.late, unsent: t.unsent}
               for kind, t in status_counts(session, campaign, root, week,
                                            expected_units).items()}
    on_time = sum(c["on_time"] for c in by_kind.values())
    late = sum(c["late"] for c in by_kind.values())
    not_sent = sum(c[unsent] for c in by_kind.values())
    expected = on_time + late + not_sent
    statuses = sorted({"on_time", "late", unsent}, key=STATUS_RANK.__getitem__)
    groups = [(st, kind, n) for st in statuses for kind in sorted(by_kind, key=kind_rank)
              if (n := by_kind[kind][st]) and (not only.kind or kind == only.kind)
              and (not only.statuses or st in only.statuses)]
    matching = sum(n for _, _, n in groups)
    units: list[CompletenessUnit] = []
    offset, room = page.offset, page.limit
    for st, kind, n in groups:
        if room <= 0:
            break
        if offset >= n:  # the whole group lies before the page
            offset -= n
            continue
        units += group_page(session, campaign, expected_units, root, week, st, st == unsent,
                            kind, min(room, n - offset), offset)
        room, offset = page.limit - len(units), 0
    pending = not_sent if unsent == "pending" else 0
    reported = on_time + late
    locked = LockBook(session, campaign, [str(week)], now).state(root.path, str(week)).locked
    return CompletenessPublic(
        campaign=campaign.code, period=str(week), due_at=due, as_of=now, locked=locked,
        under=UnitSummary(id=root.id, code=root.code, name=root.name), expected=expected,
        on_time=on_time, late=late, missing=expected - reported, pending=pending,
        reporting_rate=round(reported / expected, 3) if expected else 0.0,
        on_time_rate=round(on_time / expected, 3) if expected else 0.0,
        data=units, count=matching, limit=page.limit, offset=page.offset)


def kind_rank(kind: str) -> tuple[int, str]:
    return (KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER), kind)


def group_page(session: Session, campaign: Campaign, expected: Expected, root: Unit, week: Week,
               status: str, unsent: bool, kind: str, limit: int,
               offset: int) -> list[CompletenessUnit]:
    """One slice, by code, of the subtree's units of a kind with one status (`unsent`: no
    report for the week), read in code order on the (kind, code) index until the slice is full
    rather than sorting every unit of the kind: reported units by a join (the planner knows how
    many reports are on time or late); unsent ones by NOT EXISTS kept as a test per unit by
    OFFSET 0 (as an anti-join, PostgreSQL would hash every report of the week first)."""
    u, r = Unit.__table__, Report.__table__.alias("r")
    of_week = and_(r.c.campaign_id == campaign.id, r.c.unit_id == u.c.id,
                   r.c.period == str(week))
    where = [u.c.kind == inline(kind), in_subtree(u.c.path, root.path),
             expected.where(u, Calendar(campaign).due_date(week))]
    if unsent:
        nothing = null()
        stmt = select(u.c.id, u.c.code, u.c.name, u.c.kind, nothing, nothing, nothing,
                      nothing).where(*where, ~select(r.c.id).where(of_week).offset(0).exists())
    else:
        stmt = (select(u.c.id, u.c.code, u.c.name, u.c.kind, r.c.id, r.c.received_at,
                       r.c.sender_name, r.c.status)
                .select_from(u.join(r, of_week)).where(*where, r.c.timeliness == status))
    rows = run(session, stmt.order_by(u.c.code).limit(inline(limit))
               .offset(inline(offset))).all()
    return [CompletenessUnit(unit_id=uid, unit=code, unit_name=name, kind=kind_, status=status,
                             report_id=rid, received_at=as_utc(received), sender_name=sender,
                             report_status=rstatus)
            for uid, code, name, kind_, rid, received, sender, rstatus in rows]


def inline(value: str | int):  # noqa: ANN201
    """A value written into the statement: PostgreSQL's generic plan of a prepared statement
    knows neither the kind's share of the units nor the LIMIT, and would sort the kind."""
    return bindparam(None, value, type_=String if isinstance(value, str) else Integer,
                     literal_execute=True)


def as_utc(moment: datetime | None) -> datetime | None:
    """A Core row's timestamp: SQLite gives it back naive (stored in UTC)."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def get_unit_unchecked(session: Session, ref: str) -> Unit:
    """For system jobs (the reminder command), which act for the whole database."""
    unit = find_unit(session, ref)
    if unit is None:
        raise NotFound("Không tìm thấy đơn vị.", field="under", code="unit_not_found")
    return unit
