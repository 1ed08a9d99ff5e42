"""The demo's second campaign: VNeID level-2 activation in 2025, across the reorganisation of
1 July 2025 (Nghị quyết 1656/NQ-UBTVQH15) in which Gia Lâm's 22 communes and towns became four
communes: Gia Lâm, Bát Tràng, Phù Đổng and Thuận An. Every figure is DEMO data and the
assignment of old communes to new ones is an approximation for the demo.

It lives in an area of its own under the city ("Gia Lâm — địa bàn 2025"), seen by a demo
user of its own (`thanhpho`, admin of the city), so that the iHanoi campaigns, their units and
the district users' view stay exactly as they are; the district level is gone since July 2025, the area is
kept as one node so that the campaign has an owner. It is seeded only once the campaign is over
(a demo loaded on or after 29/09/2025), through the same reorganisation service as the API.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from tiendo.campaigns.calendar import Calendar
from tiendo.campaigns.models import Baseline, Campaign, Metric
from tiendo.campaigns.schemas import CampaignCreate, MetricIn, TargetCreate
from tiendo.campaigns.service import insert_campaign, insert_target
from tiendo.core.periods import Week, weeks_between
from tiendo.reorg.schemas import ReorganizationCreate
from tiendo.reorg.service import apply, system_principal
from tiendo.reports.models import Report, ReportValue, Source, Timeliness
from tiendo.units.models import Unit, UnitKind
from tiendo.units.schemas import UnitCreate
from tiendo.units.service import find_unit, insert_unit

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CODE = "vneid-2025"
AREA = "HN-GL25"
EFFECTIVE = date(2025, 7, 1)
START, END = date(2025, 5, 5), date(2025, 9, 28)
READY = END + timedelta(days=1)  # seeded only once the campaign is over
OLD = ["TT-YENVIEN", "X-YENTHUONG", "X-YENVIEN", "X-NINHHIEP", "X-DINHXUYEN", "X-DUONGHA",
       "X-PHUDONG", "X-TRUNGMAU", "X-LECHI", "X-COBI", "X-DANGXA", "X-PHUTHI", "X-KIMSON",
       "TT-TRAUQUY", "X-DUONGQUANG", "X-DUONGXA", "X-DONGDU", "X-DATON", "X-KIEUKY",
       "X-BATTRANG", "X-KIMLAN", "X-VANDUC"]
NEW = {"HN-X-GIALAM": "Xã Gia Lâm", "HN-X-BATTRANG": "Xã Bát Tràng",
       "HN-X-PHUDONG": "Xã Phù Đổng", "HN-X-THUANAN": "Xã Thuận An"}
WHOLE = {"HN-X-GIALAM": ["X-COBI", "X-DANGXA", "X-PHUTHI", "X-KIMSON", "X-DONGDU"],
         "HN-X-THUANAN": ["X-DUONGQUANG", "X-DUONGXA", "X-KIEUKY", "X-LECHI"],
         "HN-X-BATTRANG": ["X-BATTRANG", "X-KIMLAN", "X-VANDUC"],
         "HN-X-PHUDONG": ["X-PHUDONG", "X-TRUNGMAU", "X-NINHHIEP", "X-DINHXUYEN", "X-DUONGHA",
                          "X-YENTHUONG", "X-YENVIEN", "TT-YENVIEN"]}
SPLIT = {"TT-TRAUQUY": [("HN-X-GIALAM", 0.5), ("HN-X-THUANAN", 0.5)],
         "X-DATON": [("HN-X-BATTRANG", 0.8), ("HN-X-GIALAM", 0.2)]}
# Seen by a city-level demo user of its own: the district users' view stays as it was.
CITY_USER = ("thanhpho", "Quản trị thành phố (demo: đợt VNeID 2025)")


def _old_code(suffix: str) -> str:
    return f"GL25-{suffix}"


def _write(session: Session, campaign: Campaign, unit: Unit, week: Week, value: int,
           metric: Metric, received: datetime) -> None:
    due = Calendar(campaign).due(week)
    report = Report(campaign_id=campaign.id, unit_id=unit.id, period=str(week),
                    timeliness=Timeliness.on_time if received < due else Timeliness.late,
                    source=Source.web, sender_name=f"Cán bộ {unit.name}", received_at=received,
                    updated_at=received)
    session.add(report)
    session.flush()
    session.add(ReportValue(report_id=report.id, metric_id=metric.id, value=value))


def seed_vneid_2025(session: Session, now: datetime, rng: random.Random) -> int:
    """The second demo campaign with the reorganisation in its history; 0 reports when the
    demo is loaded before the campaign is over (nothing is seeded then)."""
    if now.astimezone(TZ).date() < READY or find_unit(session, "HN") is None:
        return 0
    city = find_unit(session, "HN")
    area = insert_unit(session, UnitCreate(
        code=AREA, name="Gia Lâm — địa bàn sắp xếp 2025 (demo)", kind=UnitKind.district,
        parent="HN", opened_on=date(2025, 1, 1)), city, now)
    old: dict[str, Unit] = {}
    for suffix in OLD:
        source = find_unit(session, f"GL-{suffix}")
        name = (source.name if source else suffix) + " (trước 1/7/2025)"
        old[suffix] = insert_unit(session, UnitCreate(
            code=_old_code(suffix), name=name, kind=UnitKind.commune, parent=AREA,
            opened_on=date(2025, 1, 1)), area, now)
    campaign = insert_campaign(session, CampaignCreate(
        code=CODE, name="Kích hoạt định danh điện tử mức 2 — qua sắp xếp xã 1/7/2025 (dữ liệu demo)",
        description="Kích hoạt tài khoản định danh điện tử mức 2 (VNeID) cho người dân. Ngày "
                    "1/7/2025 22 xã, thị trấn của Gia Lâm được sắp xếp thành 4 xã (Gia Lâm, Bát "
                    "Tràng, Phù Đổng, Thuận An); biểu đồ của mỗi xã mới nối liền qua thay đổi. "
                    "Số liệu và cách phân chia trong bản demo là giả lập.",
        owner=AREA, start_date=START, end_date=END, lock_after_days=0,
        metrics=[MetricIn(code="residents_total", name="Dân số (số liệu nền)",
                          unit_kinds=["commune"], is_baseline=True),
                 MetricIn(code="vneid_level2", name="Số người đã kích hoạt định danh mức 2",
                          unit_kinds=["commune"])]), area, is_demo=True)
    insert_target(session, campaign, TargetCreate(
        campaign=CODE, code="vneid", name="80% người dân kích hoạt định danh điện tử mức 2",
        numerator="vneid_level2", denominator="residents_total", goal_ratio=0.8, deadline=END,
        unit_kinds=["commune"]), None)
    metrics = {m.code: m for m in session.exec(select(Metric).where(
        Metric.campaign_id == campaign.id)).all()}
    population = {}
    for suffix, unit in old.items():
        population[suffix] = rng.randrange(6000, 24000, 10)
        session.add(Baseline(campaign_id=campaign.id, metric_id=metrics["residents_total"].id,
                             unit_id=unit.id, value=population[suffix], note="Dân số giả lập (demo)",
                             updated_at=now))
    cal = Calendar(campaign)
    count = 0
    before = weeks_between(Week.of(START), Week.parse("2025-W26"))  # due 26/06: the last
    pace = {s: rng.uniform(0.8, 1.15) for s in OLD}
    for i, week in enumerate(before):
        for suffix, unit in old.items():
            if rng.random() < 0.08 and i < len(before) - 1:
                continue
            ratio = min(0.95, (0.18 + 0.045 * i) * pace[suffix])
            received = cal.due(week) - timedelta(hours=rng.uniform(1, 40))
            _write(session, campaign, unit, week, round(population[suffix] * ratio),
                   metrics["vneid_level2"], received)
            count += 1

    changes = [{"kind": "merge", "from": [_old_code(s) for s in froms], "roles_to": new,
                "to": [{"code": new, "name": NEW[new], "kind": "commune", "parent": AREA}]}
               for new, froms in WHOLE.items()]
    changes += [{"kind": "split", "from": [_old_code(s)],
                 "to": [{"code": new, "share": share} for new, share in tos]}
                for s, tos in SPLIT.items()]
    result = apply(session, system_principal(session), ReorganizationCreate.model_validate({
        "effective_date": EFFECTIVE, "note": "Nghị quyết 1656/NQ-UBTVQH15 (demo, phỏng theo)",
        "changes": changes}), datetime(2025, 7, 1, 8, tzinfo=TZ))
    carried = {c.unit: c.values.get("vneid_level2", 0) for c in result.carried}
    pops = {b.unit: b.value for b in result.baselines if b.metric == "residents_total"}
    new_units = {code: find_unit(session, code) for code in NEW}
    after = weeks_between(Week.parse("2025-W27"), Week.of(END))
    for i, week in enumerate(after, start=1):
        for code, unit in new_units.items():
            if i == 1 or (i == 2 and code == "HN-X-PHUDONG"):
                continue  # the first weeks carry their predecessors' figures (stale)
            start, goal = carried.get(code, 0), pops[code] * 0.86
            value = round(start + (goal - start) * min(1.0, i / len(after)) * rng.uniform(0.9, 1))
            received = cal.due(week) - timedelta(hours=rng.uniform(1, 30))
            _write(session, campaign, unit, week, max(value, start),
                   metrics["vneid_level2"], received)
            count += 1
    session.flush()
    return count
