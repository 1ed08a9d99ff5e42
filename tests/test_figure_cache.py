"""Kept subtree totals (tiendo.figures.kept): never served stale, on a database of their own
(demo loaded) so that reads store in their own transactions as in production, on SQLite and
PostgreSQL.

Gia Lâm's commune Đa Tốn gets a school of its own, so the district's progress reads Đa Tốn's
subtree from the kept totals. Each test fills them through the API, checks that the rows it is
about to make stale exist, writes (a correction of an old week, a unit closed, a baseline, a
bulk post), and then the kept read must equal the live engine at every week, and
`check-figures` find no difference. The race: a reader computes from what it saw, a writer
commits in between, the reader stores afterwards: the next read is still exact."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, event, func, select
from sqlmodel import Session

from conftest import DEMO_NOW, PASSWORD
from tiendo.auth.models import User
from tiendo.campaigns.calendar import Calendar
from tiendo.campaigns.models import Campaign
from tiendo.campaigns.service import targets_of
from tiendo.core.periods import Week
from tiendo.figures import kept, status, upkeep
from tiendo.figures import series as live_series
from tiendo.figures import subtree as live
from tiendo.figures.cache import SHARDS, STAMP, STATUS, TOTAL
from tiendo.units.models import Unit

V1 = "/api/v1"
CAMPAIGN, ROOT, BRANCH = "ihanoi-live", "HN-GL", "GL-X-DATON"
VALUES = {"staff_total": 40, "staff_installed": 31, "residents_accounts": 9000}


@pytest.fixture(scope="module")
def tree(own_client, login, own_db) -> Iterator[None]:  # noqa: ANN001
    """Đa Tốn with a school under it (reporting every week so far), so it has a subtree."""
    admin = login("admin")
    add_school(own_client, admin, "GL-X-DATON-TH1", "Trường tiểu học Đa Tốn 1")
    with Session(own_db.engine) as s:
        campaign = s.exec(select(Campaign).where(Campaign.code == CAMPAIGN)).scalar_one()
        weeks = Calendar(campaign).weeks_until(DEMO_NOW)
    items = [{"unit": "GL-X-DATON-TH1", "period": str(w),
              "values": {"staff_total": 30, "staff_installed": 3 * (n + 1)}}
             for n, w in enumerate(weeks)]
    r = own_client.post(f"{V1}/reports/bulk", headers=admin,
                        json={"campaign": CAMPAIGN, "items": items})
    assert r.status_code == 200 and r.json()["created"] >= 2, r.text  # older weeks locked
    yield


def add_school(client, headers, code: str, name: str) -> dict:  # noqa: ANN001
    """A school under Đa Tốn, open since before the campaigns; the unit as created."""
    r = client.post(f"{V1}/units", headers=headers, json={
        "code": code, "name": name, "kind": "school", "parent": BRANCH,
        "opened_on": "2024-01-01"})
    assert r.status_code == 201, r.text
    return r.json()


def fill(client, headers) -> None:  # noqa: ANN001
    for path in ("/progress", "/progress/series"):
        r = client.get(f"{V1}{path}", headers=headers,
                       params={"campaign": CAMPAIGN, "under": ROOT})
        assert r.status_code == 200, r.text


def kept_rows(engine, code: str, week: str | None = None) -> int:  # noqa: ANN001
    with Session(engine) as s:
        unit = s.exec(select(Unit).where(Unit.code == code)).scalar_one()
        stmt = select(func.count()).select_from(TOTAL).where(TOTAL.c.unit_id == unit.id)
        if week is not None:
            stmt = stmt.where(TOTAL.c.week == week)
        return s.connection().execute(stmt).scalar()


def assert_exact(engine) -> None:  # noqa: ANN001
    """The kept reads equal the live engine at every week; every kept row checks out."""
    with Session(engine) as s:
        campaign = s.exec(select(Campaign).where(Campaign.code == CAMPAIGN)).scalar_one()
        targets = targets_of(s, campaign.id)
        root = s.exec(select(Unit).where(Unit.code == ROOT)).scalar_one()
        weeks = Calendar(campaign).weeks_until(DEMO_NOW)
        for week in weeks:
            base = kept.pace_base_week(campaign, week)
            assert (kept.sums_by_target(s, campaign, targets, root, week, base)
                    == live.sums_by_target(s, campaign, targets, root, week, base)), week
        for node in (root, s.exec(select(Unit).where(Unit.code == BRANCH)).scalar_one()):
            assert (kept.totals_by_week(s, campaign, targets, node, weeks)
                    == live_series.totals_by_week(s, campaign, targets, node, weeks)), node.code
    with Session(engine) as s:  # a snapshot that sees what these reads kept (SQLite)
        checked, differences = upkeep.check(s, CAMPAIGN)
    assert checked and not differences, differences


def weeks_of(engine) -> list[str]:  # noqa: ANN001
    with Session(engine) as s:
        campaign = s.exec(select(Campaign).where(Campaign.code == CAMPAIGN)).scalar_one()
        return [str(w) for w in Calendar(campaign).weeks_until(DEMO_NOW)]


def report_id(client, headers, unit: str, week: str) -> tuple[int, int]:  # noqa: ANN001
    r = client.get(f"{V1}/reports", headers=headers,
                   params={"campaign": CAMPAIGN, "unit": unit, "period": week})
    assert r.status_code == 200, r.text
    row = r.json()["data"][0]
    return row["id"], row["version"]


def test_a_correction_of_an_old_week_is_never_served_stale(tree, own_client, login,
                                                           own_db):  # noqa: ANN001
    admin = login("admin")
    old = weeks_of(own_db.engine)[-2]
    fill(own_client, admin)
    assert kept_rows(own_db.engine, BRANCH, old) and kept_rows(own_db.engine, ROOT, old)
    rid, version = report_id(own_client, admin, "GL-X-DATON-TH1", old)
    r = own_client.put(f"{V1}/reports/{rid}", headers={**admin, "If-Match": f'"{version}"'},
                       json={"values": {"staff_total": 30, "staff_installed": 29}})
    assert r.status_code == 200, r.text
    assert not kept_rows(own_db.engine, BRANCH, old)
    assert_exact(own_db.engine)


def test_a_bulk_post_is_never_served_stale(tree, own_client, login, own_db):  # noqa: ANN001
    admin = login("admin")
    week = weeks_of(own_db.engine)[-1]
    fill(own_client, admin)
    assert kept_rows(own_db.engine, BRANCH, week)
    rid, version = report_id(own_client, admin, "GL-X-DATON-TH1", week)
    r = own_client.post(f"{V1}/reports/bulk", headers=admin, json={
        "campaign": CAMPAIGN, "items": [{"unit": "GL-X-DATON-TH1", "period": week,
                                         "version": version,
                                         "values": {"staff_total": 31, "staff_installed": 30}}]})
    assert r.status_code == 200 and r.json()["updated"] == 1, r.text
    assert_exact(own_db.engine)


def test_a_baseline_change_is_never_served_stale(tree, own_client, login, own_db):  # noqa: ANN001
    admin = login("admin")
    fill(own_client, admin)
    assert kept_rows(own_db.engine, BRANCH)
    r = own_client.put(f"{V1}/baselines", headers=admin, json={
        "campaign": CAMPAIGN, "unit": BRANCH, "metric": "residents_total", "value": 123_456})
    assert r.status_code == 200, r.text
    assert not kept_rows(own_db.engine, BRANCH)
    assert_exact(own_db.engine)


def test_closing_a_unit_is_never_served_stale(tree, own_client, login, own_db):  # noqa: ANN001
    admin = login("admin")
    fill(own_client, admin)
    assert kept_rows(own_db.engine, BRANCH)
    r = own_client.post(f"{V1}/units/GL-X-DATON-TH1/deactivate", headers=admin,
                        json={"closed_on": weeks_monday(own_db.engine, -2)})
    assert r.status_code == 200, r.text
    assert_exact(own_db.engine)


def weeks_monday(engine, index: int) -> str:  # noqa: ANN001
    with Session(engine) as s:
        campaign = s.exec(select(Campaign).where(Campaign.code == CAMPAIGN)).scalar_one()
        return Calendar(campaign).weeks_until(DEMO_NOW)[index].monday.isoformat()


def reader_at(engine, code: str) -> tuple[Session, kept.Kept, Unit]:  # noqa: ANN001
    """A reader of the campaign's figures at unit `code`, its counter read; its transaction
    open."""
    s = Session(engine)
    campaign = s.exec(select(Campaign).where(Campaign.code == CAMPAIGN)).scalar_one()
    k = kept.Kept(s, campaign, targets_of(s, campaign.id))
    unit = s.exec(select(Unit).where(Unit.code == code)).scalar_one()
    k.paths[unit.id] = unit.path
    k.stamp([unit.id])
    return s, k, unit


def computed(engine, week: str, code: str = BRANCH) -> tuple[Session, kept.Kept]:  # noqa: ANN001
    """A reader that has read the counters and computed the total of Gia Lâm's branch `code`
    (Đa Tốn) at `week` (nothing kept for it before), not yet stored; its transaction open."""
    s, k, root = reader_at(engine, ROOT)
    branch = next(b for b in k.branches(root.id) if b.child.code == code)
    s.connection().execute(TOTAL.delete().where(TOTAL.c.unit_id == branch.child.id))
    s.commit()  # nothing kept for Đa Tốn: the reader computes it
    k.stamps.clear()
    k.stamp([root.id, branch.child.id])
    k.totals([branch.child.id], [Week.parse(week)])
    assert (branch.child.id, week) in k.pending
    return s, k


def test_a_reader_does_not_keep_what_a_writer_changed_meanwhile(tree, own_client, login,
                                                                own_db):  # noqa: ANN001
    """Reader: counters read, Đa Tốn's total computed from its snapshot. Writer: Đa Tốn's own
    report for that week corrected and committed. Reader stores afterwards: refused, and the
    next read is exact. Without the writer the same store keeps the row."""
    engine, week = own_db.engine, weeks_of(own_db.engine)[-2]
    daton = login("daton")

    s, k = computed(engine, week)  # control: no writer in between, the total is kept
    s.rollback()
    k.store()
    s.close()
    assert kept_rows(engine, BRANCH, week)

    s, k = computed(engine, week)
    corrected_then_stored(own_client, daton, BRANCH, week, VALUES, s, k)
    assert not kept_rows(engine, BRANCH, week)  # computed before the correction: not kept
    assert_exact(engine)


def corrected_then_stored(client, headers, code: str, week: str, values: dict, s: Session,
                          k: kept.Kept) -> None:  # noqa: ANN001
    """A writer corrects unit `code`'s report for `week` and commits; then the reader (`s`,
    `k`), which computed before the correction, stores."""
    rid, version = report_id(client, headers, code, week)
    r = client.put(f"{V1}/reports/{rid}", headers={**headers, "If-Match": f'"{version}"'},
                   json={"values": values})
    assert r.status_code == 200, r.text
    s.rollback()
    k.store()
    s.close()


def test_a_reader_does_not_keep_a_leafs_figures_a_writer_changed_meanwhile(
        tree, own_client, login, own_db) -> None:  # noqa: ANN001
    """Reader: Đa Tốn's children computed (a school's kept row missing), not yet stored.
    Writer: the school's report for that week corrected and committed. The reader's store keeps
    nothing of the school, and the next read is exact. Without the writer it is kept."""
    engine, week = own_db.engine, weeks_of(own_db.engine)[-1]
    admin, code = login("admin"), "GL-X-DATON-RACE"
    add_school(own_client, admin, code, "Trường Đa Tốn (đọc và ghi cùng lúc)")
    r = own_client.post(f"{V1}/reports", headers=admin, json={
        "campaign": CAMPAIGN, "unit": code, "period": week,
        "values": {"staff_total": 30, "staff_installed": 5}})
    assert r.status_code == 201, r.text

    def reader() -> tuple[Session, kept.Kept]:
        with Session(engine) as s:
            s.connection().execute(TOTAL.delete())
            s.commit()
        s, k, branch = reader_at(engine, BRANCH)
        k.per_child(branch, Week.parse(week))
        school = s.exec(select(Unit.id).where(Unit.code == code)).scalar_one()
        assert (school, week) in k.pending  # computed, to be kept
        return s, k

    s, k = reader()  # control: no writer in between, the school's row is kept
    s.rollback()
    k.store()
    s.close()
    assert kept_rows(engine, code, week)

    s, k = reader()
    corrected_then_stored(own_client, admin, code, week,
                          {"staff_total": 30, "staff_installed": 6}, s, k)
    assert not kept_rows(engine, code, week)  # computed before the correction: not kept
    assert_exact(engine)


def stamp_shards(engine, code: str) -> dict[int, int]:  # noqa: ANN001
    """The counter rows of a unit's node: {shard: stamp}."""
    with Session(engine) as s:
        unit = s.exec(select(Unit).where(Unit.code == code)).scalar_one()
        return dict(s.connection().execute(
            select(STAMP.c.shard, STAMP.c.stamp).where(STAMP.c.unit_id == unit.id)).all())


def test_a_writer_on_another_shard_still_refuses_the_store(tree, own_client, login,
                                                           own_db):  # noqa: ANN001
    """The counters are split in shards, a writer bumps one. Writer A (Đa Tốn) bumps its
    shard, a reader then reads the counters and computes; writer B, a school of Đa Tốn whose
    shard is not A's, reports and commits; the reader's store is refused all the same, since
    it compares the sum of every shard, locked. Both shards of Đa Tốn's node moved."""
    engine, week = own_db.engine, weeks_of(own_db.engine)[-2]
    admin, daton = login("admin"), login("daton")
    with Session(engine) as s:
        daton_id = s.exec(select(Unit.id).where(Unit.code == BRANCH)).scalar_one()
    school = None
    for n in range(1, SHARDS + 1):  # consecutive ids: one of the first two is on another shard
        made = add_school(own_client, admin, f"GL-X-DATON-MN{n}", f"Trường mầm non Đa Tốn {n}")
        if made["id"] % SHARDS != daton_id % SHARDS:
            school = made
            break
    assert school is not None
    rid, version = report_id(own_client, daton, BRANCH, week)
    r = own_client.put(f"{V1}/reports/{rid}", headers={**daton, "If-Match": f'"{version}"'},
                       json={"values": {**VALUES, "staff_installed": 32}})
    assert r.status_code == 200, r.text
    before = stamp_shards(engine, BRANCH)

    s, k = computed(engine, week)
    r = own_client.post(f"{V1}/reports", headers=admin, json={
        "campaign": CAMPAIGN, "unit": school["code"], "period": week,
        "values": {"staff_total": 20, "staff_installed": 11}})
    assert r.status_code == 201, r.text
    s.rollback()
    k.store()  # computed before B's report: must not be kept
    s.close()
    assert not kept_rows(engine, BRANCH, week)
    after = stamp_shards(engine, BRANCH)
    a, b = daton_id % SHARDS, school["id"] % SHARDS
    assert before.get(a, 0) >= 1 and after[b] == before.get(b, 0) + 1 and after[a] == before[a]
    assert_exact(engine)


def test_the_weekly_export_reads_the_kept_totals_and_is_never_served_stale(
        tree, own_client, login, own_db):  # noqa: ANN001
    """Gia Lâm's weekly export reads Đa Tốn's subtree from the kept totals (keeping them when
    missing); a correction of Đa Tốn's own report shows in the next export."""
    admin = login("admin")
    week = weeks_of(own_db.engine)[-2]

    def daton_staff() -> int:
        r = own_client.get(f"{V1}/exports/weekly-report.csv", headers=admin,
                           params={"campaign": CAMPAIGN, "under": ROOT, "period": week})
        assert r.status_code == 200, r.text
        rows = csv.DictReader(io.StringIO(r.content.decode("utf-8-sig")))
        return int(next(x for x in rows
                        if x["Mã đơn vị"] == BRANCH and x["Chỉ tiêu"] == "staff")["Đã đạt"])

    with Session(own_db.engine) as s:
        s.connection().execute(TOTAL.delete())
        s.commit()
    first = daton_staff()
    assert kept_rows(own_db.engine, BRANCH, week)  # kept by the export itself
    assert daton_staff() == first  # now read from them
    r = own_client.get(f"{V1}/reports", headers=admin, params={
        "campaign": CAMPAIGN, "unit": BRANCH, "period": week})
    own = r.json()["data"][0]
    values = {**own["values"], "staff_installed": own["values"]["staff_installed"] + 7}
    r = own_client.put(f"{V1}/reports/{own['id']}",
                       headers={**admin, "If-Match": f'"{own["version"]}"'},
                       json={"values": values, "note": "Sửa số liệu"})
    assert r.status_code == 200, r.text
    assert daton_staff() == first + 7
    assert_exact(own_db.engine)


def test_rebuild_then_check_on_the_demo(tree, own_db) -> None:  # noqa: ANN001
    kept_totals = upkeep.rebuild(own_db.engine, None, DEMO_NOW, say=lambda _: None)
    assert kept_totals > 0
    assert kept_rows(own_db.engine, ROOT) and kept_rows(own_db.engine, BRANCH)
    with Session(own_db.engine) as s:
        checked, differences = upkeep.check(s, None)
    assert checked and not differences, differences


@pytest.mark.parametrize("listed_max", [kept.LISTED_MAX, 0], ids=["by-id", "all-children"])
def test_a_parent_of_leaves_keeps_each_leafs_figures(tree, own_client, login, own_db,
                                                    monkeypatch, listed_max) -> None:  # noqa: ANN001
    """A district of a thousand leaves reads each child's figures from its kept row (a leaf's
    row is its own figures) instead of computing them at every read. A school of Đa Tốn: kept by
    the first read of the week, equal to the live figures; a correction of its report forgets
    it, and the next read shows the correction and keeps it again. The children without a row
    are computed by id (few) or with the statement over all children (`listed_max` 0)."""
    monkeypatch.setattr(kept, "LISTED_MAX", listed_max)
    admin = login("admin")
    week = weeks_of(own_db.engine)[-1]
    school = f"GL-X-DATON-L{listed_max}"
    add_school(own_client, admin, school, f"Trường Đa Tốn L{listed_max}")
    r = own_client.post(f"{V1}/reports", headers=admin, json={
        "campaign": CAMPAIGN, "unit": school, "period": week,
        "values": {"staff_total": 30, "staff_installed": 12}})
    assert r.status_code == 201, r.text
    with Session(own_db.engine) as s:
        s.connection().execute(TOTAL.delete())
        s.commit()

    def school_staff() -> int:
        r = own_client.get(f"{V1}/progress", headers=admin,
                           params={"campaign": CAMPAIGN, "under": BRANCH, "period": week})
        assert r.status_code == 200, r.text
        staff = next(t for t in r.json()["targets"] if t["numerator_metric"] == "staff_installed")
        return next(c["numerator"] for c in staff["children"] if c["unit"] == school)

    first = school_staff()
    targets = kept_rows(own_db.engine, school, week)
    assert targets >= 2  # one row per target of the campaign, counted or not
    assert school_staff() == first  # read from the row
    rid, version = report_id(own_client, admin, school, week)
    r = own_client.put(f"{V1}/reports/{rid}", headers={**admin, "If-Match": f'"{version}"'},
                       json={"values": {"staff_total": 30, "staff_installed": first + 1}})
    assert r.status_code == 200, r.text
    assert not kept_rows(own_db.engine, school, week)
    assert school_staff() == first + 1
    assert kept_rows(own_db.engine, school, week) == targets
    assert_exact(own_db.engine)  # Gia Lâm's communes and agencies kept at every week, exact


def test_a_read_of_kept_figures_writes_nothing_and_computes_nothing(
        tree, own_client, login, own_db) -> None:  # noqa: ANN001
    """Once a week's progress of Gia Lâm is kept (its own total, its branches', its childless
    children's), reading it again writes nothing: no transaction, no lock of the counters
    (the root's total was stored again by every read: a write and a commit per dashboard
    read, each locking node 0's counter, which every store locks). Nor does it compute: no
    statement reads a report's values (the root's own figures ran the engine's statement at
    every read), and the answer is the same."""
    admin, week = login("admin"), weeks_of(own_db.engine)[-1]
    params = {"campaign": CAMPAIGN, "under": ROOT, "period": week}
    first = own_client.get(f"{V1}/progress", headers=admin, params=params)
    assert first.status_code == 200, first.text
    assert kept_rows(own_db.engine, ROOT, week)
    writes: list[str] = []
    computed: list[str] = []

    def seen(conn, cursor, statement, *args) -> None:  # noqa: ANN001, ANN002
        if any(t.name in statement for t in (TOTAL, STAMP, STATUS)) and \
                not statement.lstrip().upper().startswith("SELECT"):
            writes.append(statement)
        if "report_value" in statement:
            computed.append(statement)

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        second = own_client.get(f"{V1}/progress", headers=admin, params=params)
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    assert second.status_code == 200, second.text
    assert {**second.json(), "as_of": None} == {**first.json(), "as_of": None}
    assert not writes, writes
    assert not computed, computed


def test_check_figures_finds_a_wrong_leaf_row(tree, own_client, login, own_db) -> None:  # noqa: ANN001
    """`check-figures` checks a childless unit's rows with its parent's statement: a school's
    row changed by hand is found, and only it."""
    admin, week = login("admin"), weeks_of(own_db.engine)[-1]
    with Session(own_db.engine) as s:
        s.connection().execute(TOTAL.delete())
        s.commit()
    r = own_client.get(f"{V1}/progress", headers=admin,
                       params={"campaign": CAMPAIGN, "under": ROOT, "period": week})
    assert r.status_code == 200, r.text
    with Session(own_db.engine) as s:
        checked, differences = upkeep.check_totals(s, CAMPAIGN)
        assert checked and not differences, differences
        root = s.exec(select(Unit).where(Unit.code == ROOT)).scalar_one()
        leaf = next(u for u in s.exec(select(Unit).where(Unit.parent_id == root.id,
                                                          Unit.kind == "commune")).scalars()
                    if not kept.has_children(s, u.id))
        leaf_id = leaf.id
        assert kept_rows(own_db.engine, leaf.code, week)
        s.connection().execute(TOTAL.update().where(
            TOTAL.c.unit_id == leaf_id, TOTAL.c.week == week, TOTAL.c.expected == 1)
            .values(numerator=TOTAL.c.numerator + 1))
        s.commit()
        _, differences = upkeep.check_totals(s, CAMPAIGN)
    assert differences and {(d.unit_id, d.week) for d in differences} == {(leaf_id, week)}
    assert all(d.kept.numerator == d.live.numerator + 1 for d in differences)
    with Session(own_db.engine) as s:
        s.connection().execute(TOTAL.delete())
        s.commit()


def test_the_weeks_of_a_parent_of_leaves_are_kept(tree, own_client, login,
                                                 own_db) -> None:  # noqa: ANN001
    """A parent of leaves' series (a district of 1,000 communes over three years of weeks took
    2.5 s live at every read) is kept at its first read, equal to the live one, and a report
    below it is never served stale."""
    admin = login("admin")
    add_school(own_client, admin, "GL-X-DATON-TH9", "Trường tiểu học Đa Tốn 9")
    with Session(own_db.engine) as s:
        s.connection().execute(TOTAL.delete())
        s.commit()

    def series() -> dict:
        r = own_client.get(f"{V1}/progress/series", headers=admin,
                           params={"campaign": CAMPAIGN, "under": BRANCH})
        assert r.status_code == 200, r.text
        return r.json()

    first = series()
    weeks = weeks_of(own_db.engine)
    assert all(kept_rows(own_db.engine, BRANCH, w) for w in weeks)
    assert kept_rows(own_db.engine, ROOT) == 0  # a read below does not keep what is above
    assert series() == first
    assert_exact(own_db.engine)
    week = weeks[-1]
    r = own_client.post(f"{V1}/reports", headers=admin, json={
        "campaign": CAMPAIGN, "unit": "GL-X-DATON-TH9", "period": week,
        "values": {"staff_total": 30, "staff_installed": 30}})
    assert r.status_code == 201, r.text
    assert not kept_rows(own_db.engine, BRANCH, week) and kept_rows(own_db.engine, BRANCH,
                                                                     weeks[0])
    assert series() != first
    assert_exact(own_db.engine)


def test_a_new_unit_forgets_only_the_totals_above_it(tree, own_client, login,
                                                     own_db) -> None:  # noqa: ANN001
    """A school added under Đa Tốn drops the kept rows of Đa Tốn and Gia Lâm (every week: it is
    expected from its opening on), not those of Bát Tràng beside it: one unit added somewhere
    in the nation must not cost the next national read every week of every province."""
    admin = login("admin")
    fill(own_client, admin)
    beside = kept_rows(own_db.engine, "GL-X-BATTRANG")
    assert beside and kept_rows(own_db.engine, BRANCH) and kept_rows(own_db.engine, ROOT)
    add_school(own_client, admin, "GL-X-DATON-TH7", "Trường tiểu học Đa Tốn 7")
    assert kept_rows(own_db.engine, BRANCH) == kept_rows(own_db.engine, ROOT) == 0
    assert kept_rows(own_db.engine, "GL-X-BATTRANG") == beside
    assert_exact(own_db.engine)
    with Session(own_db.engine) as s:
        counted = s.connection().execute(select(func.count()).select_from(STATUS)).scalar()
    assert counted  # the reporting counts were checked too, the new school among them


# --- the tree's shape: moves, closes and reopens forget what they changed, not the nation ---
BESIDE = "GL-X-BATTRANG"  # a commune of Gia Lâm with a subtree of its own, beside Đa Tốn


def move(client, headers, code: str, parent: str) -> None:  # noqa: ANN001
    r = client.patch(f"{V1}/units/{code}", headers=headers, json={"parent": parent})
    assert r.status_code == 200, r.text
    r = client.get(f"{V1}/units/{parent}", headers=headers)
    assert r.json()["id"] == client.get(f"{V1}/units/{code}", headers=headers).json()["parent_id"]


def city_admin(engine, login) -> dict[str, str]:  # noqa: ANN001
    """An admin of Hà Nội (the demo's admins hold Gia Lâm only), logged in."""
    from tiendo.auth.models import Role
    from tiendo.auth.schemas import RoleGrant, UserCreate
    from tiendo.auth.service import create_user

    with Session(engine) as s:
        if s.exec(select(func.count()).select_from(User).where(
                User.username == "fc-city-admin")).scalar_one() == 0:
            create_user(s, None, UserCreate(
                username="fc-city-admin", full_name="Quản trị thành phố thử", password=PASSWORD,
                roles=[RoleGrant(role=Role.admin, unit="HN")]), DEMO_NOW)
            s.commit()
    return login("fc-city-admin")


def fill_city(client, headers) -> None:  # noqa: ANN001
    """Gia Lâm's reads and Hà Nội's: kept rows for the city, the district and its branches."""
    fill(client, headers)
    for path in ("/progress", "/progress/series"):
        r = client.get(f"{V1}{path}", headers=headers,
                       params={"campaign": CAMPAIGN, "under": "HN"})
        assert r.status_code == 200, r.text


def test_a_move_forgets_only_the_totals_above_its_old_and_new_places(
        tree, own_client, login, own_db) -> None:  # noqa: ANN001
    """Đa Tốn (and its school) moves from Gia Lâm to a new district beside it, and back: the
    kept rows of Đa Tốn, Gia Lâm and Hà Nội go (Đa Tốn's too: Gia Lâm owns the campaign, and
    only the owner's units are expected), Bát Tràng's stay. Moving a unit must not cost the
    next national read every week of every province; every read is exact after each move,
    progress and reporting counts alike, inside the owner and outside it."""
    admin, engine = city_admin(own_db.engine, login), own_db.engine
    r = own_client.post(f"{V1}/units", headers=admin, json={
        "code": "HN-TEST-D2", "name": "Huyện thử nghiệm", "kind": "district", "parent": "HN",
        "opened_on": "2024-01-01"})
    assert r.status_code == 201, r.text
    for there in ("HN-TEST-D2", ROOT):  # there, and back
        fill_city(own_client, admin)
        beside = kept_rows(engine, BESIDE)
        assert beside and kept_rows(engine, BRANCH) and kept_rows(engine, ROOT)
        assert kept_rows(engine, "HN")
        move(own_client, admin, BRANCH, there)
        assert kept_rows(engine, BRANCH) == kept_rows(engine, ROOT) == kept_rows(engine, "HN") == 0
        assert kept_rows(engine, BESIDE) == beside
        assert_exact(engine)
        with Session(engine) as s:  # the new district's and the city's reads equal the live ones
            campaign = s.exec(select(Campaign).where(Campaign.code == CAMPAIGN)).scalar_one()
            targets = targets_of(s, campaign.id)
            for code in ("HN", "HN-TEST-D2", ROOT, BRANCH):
                node = s.exec(select(Unit).where(Unit.code == code)).scalar_one()
                for week in Calendar(campaign).weeks_until(DEMO_NOW):
                    base = kept.pace_base_week(campaign, week)
                    assert (kept.sums_by_target(s, campaign, targets, node, week, base)
                            == live.sums_by_target(s, campaign, targets, node, week, base))
                    # Reporting counts: only the campaign owner's units are expected, and Đa
                    # Tốn's move in and out of Gia Lâm (the owner) changes its own counts.
                    assert (status.status_counts(s, campaign, node, week)
                            == status.counts_by_week(s, campaign, node, [week])[str(week)]), (
                        code, str(week))


def test_a_reader_does_not_keep_a_total_computed_before_a_move(tree, own_client, login,
                                                                own_db) -> None:  # noqa: ANN001
    """Reader: Bát Tràng's total computed, not stored. Writer: Đa Tốn's school moved under Bát
    Tràng and committed. The reader's store is refused (it read the tree before the move), and
    the next read counts the school under Bát Tràng."""
    admin, engine = login("admin"), own_db.engine
    week = weeks_of(engine)[-2]
    s, k = computed(engine, week, BESIDE)
    move(own_client, admin, "GL-X-DATON-TH1", BESIDE)
    s.rollback()
    k.store()  # computed without the school: must not be kept
    s.close()
    assert not kept_rows(engine, BESIDE, week)
    assert_exact(engine)
    move(own_client, admin, "GL-X-DATON-TH1", BRANCH)
    assert_exact(engine)


def test_closing_and_reopening_a_subtree_forget_only_it_and_what_is_above(
        tree, own_client, login, own_db) -> None:  # noqa: ANN001
    """Đa Tốn closed with its school, then reopened: each time the kept rows of Đa Tốn, Gia
    Lâm and Hà Nội go, Bát Tràng's stay. Gia Lâm closed, then reopened: the rows of every
    node of its subtree go too. Every read is exact after each."""
    admin, engine = city_admin(own_db.engine, login), own_db.engine
    closed_on = weeks_monday(engine, -2)
    steps = [(BRANCH, True, [BRANCH, ROOT, "HN"], [BESIDE]),
             (BRANCH, False, [BRANCH, ROOT, "HN"], [BESIDE]),
             (ROOT, True, [ROOT, BRANCH, BESIDE, "HN"], []),
             (ROOT, False, [ROOT, BRANCH, BESIDE, "HN"], [])]
    for code, close, gone, stay in steps:
        fill_city(own_client, admin)
        kept_before = {c: kept_rows(engine, c) for c in gone + stay}
        assert all(kept_before.values()), kept_before
        if close:
            r = own_client.post(f"{V1}/units/{code}/deactivate", headers=admin,
                                json={"closed_on": closed_on})
        else:
            r = own_client.patch(f"{V1}/units/{code}", headers=admin, json={"active": True})
        assert r.status_code == 200, r.text
        assert {c: kept_rows(engine, c) for c in gone} == dict.fromkeys(gone, 0), (code, close)
        assert {c: kept_rows(engine, c) for c in stay} == {c: kept_before[c] for c in stay}
        assert_exact(engine)


def test_deleting_a_unit_forgets_only_the_totals_above_it(tree, own_client, login,
                                                          own_db) -> None:  # noqa: ANN001
    """A school added under Đa Tốn by mistake and deleted: the rows of Đa Tốn and Gia Lâm go
    (it was expected there), Bát Tràng's stay, and every read is exact."""
    admin, engine = login("admin"), own_db.engine
    add_school(own_client, admin, "GL-X-DATON-DEL", "Trường nhập nhầm")
    fill(own_client, admin)
    beside = kept_rows(engine, BESIDE)
    assert beside and kept_rows(engine, BRANCH) and kept_rows(engine, ROOT)
    r = own_client.delete(f"{V1}/units/GL-X-DATON-DEL", headers=admin)
    assert r.status_code == 204, r.text
    assert kept_rows(engine, BRANCH) == kept_rows(engine, ROOT) == 0
    assert kept_rows(engine, BESIDE) == beside
    assert_exact(engine)


def test_a_rule_or_a_name_keeps_the_totals_and_new_dates_forget_them(
        tree, own_client, login, own_db) -> None:  # noqa: ANN001
    """A quality rule's edit gives the campaign a new configuration tag, and a new name changes
    no figure: the kept totals stay (a rule edited on a national campaign cost every kept row
    of the nation). A new end date does change figures (the weeks counted): they are
    forgotten, and every read is exact."""
    manager = login("vanphong")
    fill(own_client, manager)
    kept_before = kept_rows(own_db.engine, ROOT)
    assert kept_before
    rules = own_client.get(f"{V1}/campaigns/{CAMPAIGN}/quality-rules", headers=manager)
    rule = rules.json()["data"][0]
    body = {k: v for k, v in rule.items() if k not in ("id", "campaign", "updated_at")}
    r = own_client.put(f"{V1}/campaigns/{CAMPAIGN}/quality-rules/{rule['id']}",
                       headers=manager, json={**body, "message": "Xem lại số liệu."})
    assert r.status_code == 200, r.text
    r = own_client.patch(f"{V1}/campaigns/{CAMPAIGN}", headers=manager,
                         json={"name": "Cài đặt iHanoi — đợt đang chạy"})
    assert r.status_code == 200, r.text
    assert kept_rows(own_db.engine, ROOT) == kept_before
    assert_exact(own_db.engine)
    end = r.json()["end_date"]
    r = own_client.patch(f"{V1}/campaigns/{CAMPAIGN}", headers=manager,
                         json={"end_date": str(Week.parse(weeks_of(own_db.engine)[-1])
                                               .monday.replace(year=2099))})
    assert r.status_code == 200, r.text
    assert kept_rows(own_db.engine, ROOT) == 0
    assert_exact(own_db.engine)
    assert own_client.patch(f"{V1}/campaigns/{CAMPAIGN}", headers=manager,
                            json={"end_date": end}).status_code == 200
