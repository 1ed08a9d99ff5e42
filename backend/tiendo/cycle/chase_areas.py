"""The chase list of a large subtree (a province, the nation): its child areas instead of its
units. Nobody at the nation calls 200 schools of a far province; they call the provinces that
are furthest behind, who then open their own list. Listing units there meant reading every
unit expected in both weeks due and its figures to sort them (6.7 s at 99,100 units); an area's
counts come from the kept reporting counts (`tiendo.figures.status`), one row per child, so the
read costs what its answer costs. Up to `TIENDO_CHASE_AREAS_ABOVE` expected units (3,000: a
district, a commune) the unit list stays: it is what a district office calls from; it reads each
unit and its figures (0.3 s for a district of 1,000 units), so a few thousand is where the list
of units stops being both readable and quick."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import exists, select
from sqlmodel import Session

from tiendo.campaigns.models import Campaign
from tiendo.config import get_settings
from tiendo.core.periods import Week
from tiendo.cycle.schemas import ChaseArea, ChaseWeek, CompletenessPublic
from tiendo.figures.status import child_counts, returned_by_child
from tiendo.figures.units import Expected
from tiendo.units.models import Unit
from tiendo.units.schemas import UnitContact


def by_areas(expected: int) -> bool:
    """A week due expecting this many units is chased by areas (see the module)."""
    return expected > get_settings().chase_areas_above


def tel_uri(phone: str | None) -> str | None:
    digits = re.sub(r"[^\d+]", "", phone or "")
    return f"tel:{digits}" if digits else None


def people(unit: Unit) -> dict:
    """Whom to call about a unit or an area: its head, its reporting contact, a `tel:` link."""
    contact = UnitContact.of(unit)
    return {"head_name": unit.head_name, "head_title": unit.head_title,
            "contact": contact if any(contact.model_dump().values()) else None,
            "phone": unit.contact_phone, "tel": tel_uri(unit.contact_phone)}


def has_areas(session: Session, root: Unit) -> bool:
    """The subtree has child areas: a child of `root` with children of its own (a district
    whose units all sit right under it has only units)."""
    u, g = Unit.__table__.alias("u"), Unit.__table__.alias("g")
    return session.connection().execute(select(exists().where(
        u.c.parent_id == root.id, g.c.parent_id == u.c.id))).scalar()


def area_week(session: Session, campaign: Campaign, root: Unit, done: CompletenessPublic,
              now: datetime, limit: int) -> ChaseWeek:
    """The week due as areas: each child with units still to chase (not sent, late, returned),
    the highest share not sent first; the week's counts are completeness's, as in the list of
    units (late = sent late and not returned, returned = returned whatever its timeliness)."""
    week, expected = Week.parse(done.period), Expected.of(session, campaign)
    unsent = "pending" if now < done.due_at else "missing"
    returned = returned_by_child(session, campaign, root, week, expected)
    rows = []
    for node, by_kind in child_counts(session, campaign, root, week, expected).items():
        on_time = sum(t.on_time for t in by_kind.values())
        late = sum(t.late for t in by_kind.values())
        not_sent = sum(t.unsent for t in by_kind.values())
        back = returned.get(node, {})
        still_late = late - back.get("late", 0)
        if not_sent or still_late or back:
            rows.append((node, on_time + late + not_sent, on_time + late, not_sent, still_late,
                         sum(back.values())))
    units = {u.id: u for u in session.scalars(
        select(Unit).where(Unit.id.in_([r[0] for r in rows] or [0])))}

    def worst_first(row: tuple) -> tuple:
        node, expected_n, _, not_sent, late, back = row
        return -not_sent / expected_n, -not_sent, -back, -late, units[node].code

    areas = []
    for node, expected_n, reported, not_sent, late, back in sorted(rows, key=worst_first)[:limit]:
        unit = units[node]
        areas.append(ChaseArea(
            unit_id=unit.id, unit=unit.code, unit_name=unit.name, kind=unit.kind,
            expected=expected_n, reported=reported, not_reported=not_sent,
            missing=not_sent if unsent == "missing" else 0,
            pending=not_sent if unsent == "pending" else 0, late=late, returned=back,
            reporting_rate=round(reported / expected_n, 3), **people(unit)))
    back_late = sum(b.get("late", 0) for b in returned.values())
    return ChaseWeek(
        period=done.period, due_at=done.due_at, locked=done.locked, overdue=now >= done.due_at,
        expected=done.expected, reported=done.on_time + done.late, not_reported=done.missing,
        missing=done.missing - done.pending, pending=done.pending, late=done.late - back_late,
        returned=sum(sum(b.values()) for b in returned.values()), groups=[], areas=areas,
        areas_count=len(rows))
