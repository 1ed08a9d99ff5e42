"""The Gia Lâm demo: real units, generated schools and villages, the iHanoi 2024 campaign as it
happened (2024-W28…W35) and a copy of it running now. Every figure here is DEMO data."""

from __future__ import annotations

import csv
import random
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlmodel import Session, select

from tiendo.auth.models import Role
from tiendo.auth.schemas import RoleGrant, UserCreate
from tiendo.auth.service import create_user
from tiendo.campaigns.calendar import Calendar
from tiendo.campaigns.models import Baseline, Campaign, Metric
from tiendo.campaigns.schemas import CampaignCreate, MetricIn, ReportSettings, TargetCreate
from tiendo.campaigns.service import insert_campaign, insert_target
from tiendo.core.periods import Week, weeks_between
from tiendo.demo.reorg2025 import CITY_USER, seed_vneid_2025
from tiendo.figures.cache import changed
from tiendo.official.models import OfficialCount
from tiendo.quality.models import QualityRule
from tiendo.quality.service import default_rules
from tiendo.reports.models import Report, ReportValue, Source, Timeliness
from tiendo.units.models import Unit, UnitKind
from tiendo.units.schemas import UnitCreate
from tiendo.units.service import insert_unit

DISTRICT = "HN-GL"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
STAFF_KINDS = ["commune", "agency", "public_service", "school", "party", "mass_org"]
HISTORIC = "ihanoi-2024"
LIVE = "ihanoi-live"
SCHOOL_LEVELS = [("MN", "Trường Mầm non"), ("TH", "Trường Tiểu học"), ("THCS", "Trường THCS")]
# Communes given a second public primary and kindergarten (66 + 14 + 1 = 81 public schools).
LARGE_COMMUNES = ["GL-TT-TRAUQUY", "GL-TT-YENVIEN", "GL-X-DATON", "GL-X-KIEUKY", "GL-X-BATTRANG",
                  "GL-X-NINHHIEP", "GL-X-DUONGXA"]
VILLAGES = {"GL-X-DATON": ["Thôn Đa Tốn", "Thôn Ngọc Động", "Thôn Lê Xá", "Thôn Khoan Tế"],
            "GL-X-BATTRANG": ["Thôn Bát Tràng", "Thôn Giang Cao"],
            "GL-TT-TRAUQUY": ["Tổ dân phố 1", "Tổ dân phố 2", "Tổ dân phố 3"]}

METRICS = [
    MetricIn(code="staff_total", name="Tổng số CBCCVC, NLĐ", unit_kinds=STAFF_KINDS),
    MetricIn(code="staff_installed", name="Số CBCCVC, NLĐ đã cài đặt iHanoi",
             unit_kinds=STAFF_KINDS),
    MetricIn(code="residents_total", name="Dân số trên địa bàn (số liệu nền)",
             unit_kinds=["commune"], is_baseline=True),
    MetricIn(code="residents_accounts", name="Số người dân đã tạo tài khoản iHanoi",
             unit_kinds=["commune"]),
    MetricIn(code="broadcasts", name="Số buổi phát thanh tuyên truyền",
             unit_kinds=["commune", "public_service"]),
    MetricIn(code="posters", name="Số pano, áp phích có mã QR",
             unit_kinds=["commune", "public_service"]),
    MetricIn(code="meetings", name="Số cuộc họp thôn, tổ dân phố có tuyên truyền",
             unit_kinds=["commune"]),
]


@dataclass
class DemoResult:
    created: bool
    passwords: dict[str, str]
    units: int = 0
    reports: int = 0


def _unit_rows() -> list[dict[str, str]]:
    with resources.files("tiendo.demo").joinpath("gia-lam-2024-units.csv").open(
            encoding="utf-8") as f:
        return list(csv.DictReader(f))


def load_units(session: Session, now: datetime) -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for row in _unit_rows():
        parent = units.get(row["parent_code"]) if row["parent_code"] else None
        data = UnitCreate(code=row["code"], name=row["name"], kind=UnitKind(row["kind"]),
                          parent=row["parent_code"] or row["code"],
                          gso_code=row["gso_code"] or None)
        units[row["code"]] = insert_unit(session, data, parent, now)
    district = units[DISTRICT]
    communes = [u for u in units.values() if u.kind == "commune"]
    school_specs: list[tuple[str, str]] = []
    for commune in communes:
        short = commune.code.removeprefix("GL-")
        place = commune.name.removeprefix("Xã ")
        for level, label in SCHOOL_LEVELS:
            school_specs.append((f"GL-{level}-{short}", f"{label} {place}"))
        if commune.code in LARGE_COMMUNES:
            school_specs.append((f"GL-TH-{short}-2", f"Trường Tiểu học {place} số 2"))
            school_specs.append((f"GL-MN-{short}-2", f"Trường Mầm non {place} số 2"))
    for extra in range(len(school_specs), 81):
        school_specs.append((f"GL-MN-CL{extra}", f"Trường Mầm non công lập số {extra - 65}"))
    for n in range(1, 12):
        school_specs.append((f"GL-NCL-{n:02d}", f"Trường ngoài công lập số {n} (demo)"))
    for code, name in school_specs:
        units[code] = insert_unit(session, UnitCreate(code=code, name=name, kind=UnitKind.school,
                                                      parent=DISTRICT), district, now)
    for commune_code, names in VILLAGES.items():
        commune = units[commune_code]
        for i, name in enumerate(names, start=1):
            code = f"{commune_code}-T{i}"
            units[code] = insert_unit(session, UnitCreate(code=code, name=name,
                                                          kind=UnitKind.village,
                                                          parent=commune_code), commune, now)
    return units


def _campaign(session: Session, code: str, name: str, start: date, owner: Unit,
              staff_deadline: date, residents_deadline: date, lock_after_days: int) -> Campaign:
    data = CampaignCreate(
        code=code, name=name, owner=owner.code, start_date=start, lock_after_days=lock_after_days,
        end_date=start + timedelta(weeks=8, days=-1), metrics=METRICS,
        description="Cài đặt ứng dụng Công dân Thủ đô số iHanoi theo chỉ đạo của UBND huyện "
                    "Gia Lâm. Số liệu trong bản demo là số liệu giả lập.",
        report_settings=ReportSettings(
            parent_body="UBND THÀNH PHỐ HÀ NỘI", issuing_body="UBND HUYỆN GIA LÂM",
            number_pattern="/BC-UBND", place="Gia Lâm",
            recipients=["UBND Thành phố Hà Nội (để báo cáo)", "Sở Thông tin và Truyền thông",
                        "Thường trực Huyện ủy (để báo cáo)", "Chủ tịch, các PCT UBND huyện"],
            signer_title="PHÓ CHỦ TỊCH"),
    )
    campaign = insert_campaign(session, data, owner, is_demo=True)
    for target in demo_targets(code, staff_deadline, residents_deadline):
        insert_target(session, campaign, target, None)
    return campaign


def demo_targets(code: str, staff_deadline: date, residents_deadline: date) -> list[TargetCreate]:
    """The directive's two targets (also used by the benchmark's generated city)."""
    return [
        TargetCreate(
            campaign=code, code="staff", name="100% CBCCVC, NLĐ cài đặt iHanoi",
            numerator="staff_installed", denominator="staff_total", goal_ratio=1.0,
            deadline=staff_deadline, upstream_deadline=staff_deadline + timedelta(days=4),
            unit_kinds=STAFF_KINDS),
        TargetCreate(
            campaign=code, code="residents", name="100% người dân tạo tài khoản iHanoi",
            numerator="residents_accounts", denominator="residents_total", goal_ratio=1.0,
            deadline=residents_deadline, upstream_deadline=residents_deadline + timedelta(days=15),
            unit_kinds=["commune"]),
    ]


def _staff_size(rng: random.Random, kind: str) -> int:
    low, high = {"commune": (22, 45), "agency": (8, 30), "public_service": (25, 160),
                 "school": (25, 95), "party": (6, 18), "mass_org": (4, 12)}[kind]
    return rng.randint(low, high)


# Share of residents with an account at the end of each campaign week (W28…W35), roughly the
# shape of the 2024 push: slow until the directive of late July, then fast.
RESIDENT_CURVE = [0.004, 0.007, 0.011, 0.09, 0.22, 0.37, 0.52, 0.66]
STAFF_CURVE = [0.18, 0.45, 0.86, 0.97, 1.0, 1.0, 1.0, 1.0]


def seed_reports(session: Session, campaign: Campaign, units: dict[str, Unit],
                 weeks: list[Week], now: datetime, rng: random.Random,
                 populations: dict[int, int], partial_current: Week | None = None) -> int:
    """Cumulative figures per unit and week, some late, some missing; Core inserts for speed."""
    metrics = {m.code: m for m in session.exec(select(Metric)
                                               .where(Metric.campaign_id == campaign.id))}
    reporting = [u for u in units.values() if u.kind in STAFF_KINDS]
    slowness = {u.id: rng.uniform(0.75, 1.08) for u in reporting}
    staff = {u.id: _staff_size(rng, u.kind) for u in reporting}
    silent = {u.id for u in rng.sample(reporting, 3)}  # never report: shown as missing
    propaganda = {u.id: [0, 0, 0] for u in reporting}  # broadcasts, posters, meetings so far
    counted = 0
    for index, week in enumerate(weeks):
        due = Calendar(campaign).due(week)
        current = week == partial_current
        report_rows, value_rows = [], []
        for unit in reporting:
            if unit.id in silent or rng.random() < 0.07:
                continue
            roll = rng.random()
            if current:
                if due > now and roll > 0.4:
                    continue  # the rest may still report before the deadline
                received = min(now - timedelta(minutes=rng.randint(5, 600)),
                               due - timedelta(hours=rng.uniform(1, 40)))
                if due < now and roll < 0.12:  # past the deadline: some came in late
                    hours_since = (now - due).total_seconds() / 3600
                    received = due + timedelta(hours=rng.uniform(0.1, 0.9) * hours_since)
                if received < week.due(campaign.timezone, 1, time(7, 0)):
                    received = week.due(campaign.timezone, 1, time(8, 0))
            else:
                late = roll < 0.15
                received = (due + timedelta(hours=rng.uniform(0.2, 50)) if late
                            else due - timedelta(hours=rng.uniform(0.5, 50)))
            if received > now:
                continue
            pace = min(1.0, STAFF_CURVE[min(index, 7)] * slowness[unit.id])
            values = {"staff_total": staff[unit.id],
                      "staff_installed": round(staff[unit.id] * pace)}
            if unit.kind == "commune":
                pop = populations[unit.id]
                share = RESIDENT_CURVE[min(index, 7)] * slowness[unit.id]
                values["residents_accounts"] = round(pop * share)
                # Cumulative like every count, from the same draws in the same order (the
                # other figures stay as they were): now and then a week without a broadcast,
                # which the third quality rule would flag.
                aired, hung, met = rng.randint(0, 3), rng.randint(1, 3), rng.randint(1, 4)
                done = propaganda[unit.id]
                done[0] += aired + (hung > 1)
                done[1] += 3 if index == 0 else hung
                done[2] += met - 1
                values["broadcasts"], values["posters"], values["meetings"] = done
            elif unit.kind == "public_service":
                values["broadcasts"] = 3 * (index + 1)
                values["posters"] = 2 + index
            report_rows.append({
                "campaign_id": campaign.id, "unit_id": unit.id, "period": str(week),
                "status": "submitted",
                "timeliness": Timeliness.on_time if received < due else Timeliness.late,
                "version": 1, "source": Source.web, "sender_name": f"Cán bộ {unit.name}",
                "note": "", "received_at": received, "updated_at": received,
            })
            value_rows.append(values)
        if not report_rows:
            continue
        session.exec(insert(Report), params=report_rows)
        ids = {rid: uid for rid, uid in session.exec(
            select(Report.id, Report.unit_id).where(Report.campaign_id == campaign.id,
                                                    Report.period == str(week)))}
        by_unit = {uid: rid for rid, uid in ids.items()}
        for row, values in zip(report_rows, value_rows, strict=True):
            rid = by_unit[row["unit_id"]]
            value_rows_for = [{"report_id": rid, "metric_id": metrics[c].id, "value": v}
                              for c, v in values.items()]
            session.exec(insert(ReportValue), params=value_rows_for)
        counted += len(report_rows)
    changed(session, campaign.id, None, None)  # Core inserts: the kept totals are not told
    return counted


def _populations(units: dict[str, Unit], rng: random.Random) -> dict[int, int]:
    communes = [u for u in units.values() if u.kind == "commune"]
    weights = [rng.uniform(0.6, 1.6) for _ in communes]
    scale = 280_000 / sum(weights)  # the district had about 280,000 people in 2024
    return {u.id: round(w * scale, -1) for u, w in zip(communes, weights, strict=True)}


def _set_populations(session: Session, campaign: Campaign, populations: dict[int, int],
                     now: datetime) -> None:
    metric = session.exec(select(Metric).where(Metric.campaign_id == campaign.id,
                                               Metric.code == "residents_total")).one()
    for unit_id, pop in populations.items():
        session.add(Baseline(campaign_id=campaign.id, metric_id=metric.id, unit_id=unit_id,
                             value=int(pop), note="Dân số giả lập (demo)", updated_at=now))


DEMO_USERS = [
    ("admin", "Quản trị hệ thống (demo)", Role.admin, DISTRICT),
    ("vanphong", "Văn phòng HĐND-UBND huyện (demo)", Role.manager, DISTRICT),
    ("lanhdao", "Lãnh đạo UBND huyện (demo)", Role.viewer, DISTRICT),
    ("daton", "Cán bộ UBND xã Đa Tốn (demo)", Role.reporter, "GL-X-DATON"),
    ("battrang", "Cán bộ UBND xã Bát Tràng (demo)", Role.reporter, "GL-X-BATTRANG"),
    ("phongvhtt", "Phòng Văn hóa và Thông tin (demo)", Role.reporter, "GL-P-VHTT"),
]


def seed_demo(session: Session, now: datetime | None = None, password: str | None = None,
              seed: int = 2024) -> DemoResult:
    """Loads the demo into an empty database; does nothing if units already exist."""
    now = now or datetime.now(UTC)
    if session.exec(select(Unit).limit(1)).first() is not None:
        return DemoResult(created=False, passwords={})
    rng = random.Random(seed)
    units = load_units(session, now)
    district = units[DISTRICT]
    populations = _populations(units, rng)

    historic = _campaign(session, HISTORIC, "Cài đặt iHanoi 2024 (dữ liệu demo)",
                         date(2024, 7, 8), district, date(2024, 7, 26), date(2024, 8, 30),
                         lock_after_days=0)  # the archive stays open to corrections
    _set_populations(session, historic, populations, now)
    count = seed_reports(session, historic, units,
                         weeks_between(Week.parse("2024-W28"), Week.parse("2024-W35")),
                         now, random.Random(seed), populations)
    # The real figure the district compared its own with (HANOI EIC, 23/07/2024 15:06).
    session.add(OfficialCount(campaign_id=historic.id, unit_id=district.id,
                              metric="residents_accounts", source="HANOI EIC", value=2850,
                              observed_at=datetime(2024, 7, 23, 15, 6, tzinfo=TZ),
                              recorded_at=now, recorded_by_name="demo"))

    # The same campaign running now: the current week is the 4th of 8, like 2024-W31.
    this_week = Week.of(now.astimezone(TZ).date())
    start_week = this_week.shift(-3)
    shift = start_week.monday - date(2024, 7, 8)
    live = _campaign(session, LIVE, "Cài đặt iHanoi — đợt đang chạy (dữ liệu demo)",
                     start_week.monday, district, date(2024, 7, 26) + shift,
                     date(2024, 8, 30) + shift, lock_after_days=7)
    _set_populations(session, live, populations, now)
    count += seed_reports(session, live, units, weeks_between(start_week, this_week), now,
                          random.Random(seed + 1), populations, partial_current=this_week)

    # Two of the three rules of issue #18, as warnings. The third (a broadcast every week)
    # is left for the district to switch on: a demo user sends the form with last week's
    # counts as it prefills them, and would be warned at every commune's report.
    for campaign in (historic, live):
        for rule in default_rules()[:2]:
            session.add(QualityRule(campaign_id=campaign.id, **rule.model_dump(mode="json"),
                                    created_at=now, updated_at=now))

    passwords: dict[str, str] = {}
    for username, full_name, role, unit_code in DEMO_USERS:
        pw = password or secrets.token_urlsafe(9)
        passwords[username] = pw
        create_user(session, None, UserCreate(username=username, full_name=full_name,
                                              password=pw,
                                              roles=[RoleGrant(role=role, unit=unit_code)]), now)
    session.flush()
    # The second campaign, across the reorganisation of 1 July 2025 (once it is history),
    # with a city-level user to see it.
    added = seed_vneid_2025(session, now, random.Random(seed + 2))
    if added:
        count += added
        username, full_name = CITY_USER
        passwords[username] = password or secrets.token_urlsafe(9)
        create_user(session, None, UserCreate(
            username=username, full_name=full_name, password=passwords[username],
            roles=[RoleGrant(role=Role.admin, unit="HN")]), now)
        session.flush()
    return DemoResult(created=True, passwords=passwords, units=len(units), reports=count)
