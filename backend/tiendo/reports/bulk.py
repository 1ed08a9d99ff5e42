"""Bulk posts: up to 10,000 reports in one request, answered with an import summary (created,
updated, unchanged, skipped, rejected, and one conflict per rejected item), the way DHIS2 does.

A report that already exists is only changed when the post asks for it: `create_and_update`,
or an item's `version` equal to the report's current one. By default (`create_only`) it is
left exactly as it is and the item is a `report_exists` conflict, so that an integration can
never overwrite what a unit typed in itself without saying so.

Kept fast on purpose: the campaign's rules are loaded once, all units resolved in one query,
existing reports and previous values in a few, and the writes go through Core executemany."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Row, bindparam, delete, func, update
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from tiendo.audit.service import record
from tiendo.auth.principal import Action, Principal
from tiendo.core.periods import Week
from tiendo.cycle.locks import LockBook
from tiendo.cycle.models import BulkImport
from tiendo.db import among, insert_many
from tiendo.errors import Conflict, Invalid, PreconditionFailed, validation_code, validation_detail
from tiendo.figures.cache import changed as figures_changed
from tiendo.figures.sql import report_before
from tiendo.quality.flags import record_findings
from tiendo.quality.schemas import Finding
from tiendo.reorg.carry import predecessor_wrote
from tiendo.reports.models import Report, ReportRevision, ReportStatus, ReportValue, Timeliness
from tiendo.reports.rules import CampaignRules
from tiendo.reports.schemas import BulkItem, BulkStrategy, ImportConflict, ImportSummary
from tiendo.reports.service import superseded, values_of
from tiendo.units.models import Unit

Values = dict[str, int]
# A dry run only checks: its record keeps the counts and the first conflicts, not all of them
# (10,000 rejected items would be ~2 MB a post). The caller got every conflict in the answer.
DRY_RUN_KEPT_CONFLICTS = 100


class UnitRow(NamedTuple):
    """A unit as checking and writing an item need it: thousands a post, only read. Not the
    database's Row: a named tuple reads an attribute in a tenth of the time, and a post reads
    some twenty per item."""

    id: int
    code: str
    kind: str
    path: str
    active: bool
    opened_on: date | None
    closed_on: date | None


@dataclass(slots=True)  # thousands per post: no __dict__ each
class Item:
    index: int
    unit: str
    period: str
    values: Values
    note: str = ""
    version: int | None = None  # update only this version of the existing report


@dataclass
class Existing:
    row: Row  # the report's columns as read: kept as a revision if this post replaces it
    values: Values

    @property
    def id(self) -> int:
        return self.row.id

    @property
    def version(self) -> int:
        return self.row.version

    @property
    def status(self) -> str:
        return self.row.status


@dataclass
class Plan:
    creates: list[tuple[Item, UnitRow]]
    updates: list[tuple[Item, UnitRow, Existing]]
    unchanged: int


_ALL_ITEMS = TypeAdapter(list[BulkItem])


def parse_items(raw: list[Any]) -> tuple[list[Item], list[ImportConflict]]:
    """Validates each item on its own: a bad one becomes a conflict, the others go on."""
    try:  # the usual case, a clean body: validated in one call
        return [Item(index, m.unit, m.period, m.values, m.note, m.version)
                for index, m in enumerate(_ALL_ITEMS.validate_python(raw))], []
    except ValidationError:
        pass
    items, conflicts = [], []
    for index, obj in enumerate(raw):
        try:
            m = BulkItem.model_validate(obj)
        except ValidationError as exc:
            d = validation_detail(exc.errors()[0])
            unit = obj.get("unit") if isinstance(obj, dict) else None
            conflicts.append(ImportConflict(
                index=index, unit=unit[:64] if isinstance(unit, str) else None,
                field=d["field"], code=validation_code(d), message=d["message"]))
            continue
        items.append(Item(index, m.unit, m.period, m.values, m.note, m.version))
    return items, conflicts


class BulkRun:
    def __init__(self, session: Session, principal: Principal, rules: CampaignRules,
                 now: datetime, strategy: BulkStrategy = BulkStrategy.create_only) -> None:
        self.session, self.principal, self.now = session, principal, now
        self.rules, self.campaign, self.strategy = rules, rules.campaign, strategy
        self.conflicts: list[ImportConflict] = []
        self.findings: list[tuple[int, str, list[Finding]]] = []  # quality warnings per item

    def reject(self, item: Item, field: str | None, code: str, message: str) -> None:
        self.conflicts.append(ImportConflict(index=item.index, unit=item.unit, field=field,
                                             code=code, message=message))

    # --- reading: a few queries for the whole body ---------------------------------------
    def _units(self, codes: Iterable[str]) -> dict[str, UnitRow]:
        """Units by code inside the caller's report:write subtree; the others do not exist.
        `UnitRow`s, not ORM objects: thousands of them, only read."""
        t, conn = Unit.__table__.c, self.session.connection()
        rows = conn.execute(
            sa_select(t.id, t.code, t.kind, t.path, t.active, t.opened_on, t.closed_on)
            .where(among(conn, t.code, codes),
                   self.principal.subtree_filter(t.path, Action.report_write))).all()
        return {u.code: u for u in map(UnitRow._make, rows)}

    def _existing(self, pairs: list[tuple[Item, UnitRow]]) -> dict[tuple[int, str], Existing]:
        if not pairs:
            return {}
        r, conn = Report.__table__.c, self.session.connection()
        rows = conn.execute(
            sa_select(r.id, r.unit_id, r.period, r.version, r.status, r.note, r.source,
                      r.sender_name, r.sender_user_id, r.sender_token_id, r.updated_at)
            .where(r.campaign_id == self.campaign.id,
                   r.period.in_(sorted({i.period for i, _ in pairs})),
                   among(conn, r.unit_id, (u.id for _, u in pairs)))).all()
        values = values_of(self.session, [row.id for row in rows])
        return {(row.unit_id, row.period): Existing(row, values[row.id]) for row in rows}

    def _previous(self, pairs: list[tuple[Item, UnitRow]]) -> dict[tuple[int, str],
                                                                tuple[str, Values]]:
        """Per (unit, period): the unit's latest earlier report and its values, one statement
        per distinct period. Starting from the units, one index seek each on the (campaign,
        unit, period) key, so the cost does not grow with the weeks of history."""
        if not pairs:
            return {}
        by_period: dict[str, set[int]] = defaultdict(set)
        for item, unit in pairs:
            by_period[item.period].add(unit.id)
        r, v, u = Report.__table__.c, ReportValue.__table__.c, Unit.__table__.c
        codes, conn = self.rules.metric_codes, self.session.connection()
        out: dict[tuple[int, str], tuple[str, Values]] = {}
        for period, unit_ids in by_period.items():
            latest = report_before(Report.__table__, self.campaign.id, u.id, period)
            rows = conn.execute(
                sa_select(r.unit_id, r.period, v.metric_id, v.value)
                .select_from(Report.__table__.outerjoin(ReportValue.__table__,
                                                        v.report_id == r.id))
                .where(r.id.in_(sa_select(latest).where(among(conn, u.id, unit_ids)))))
            for unit_id, found, metric_id, value in rows:
                _, values = out.setdefault((unit_id, period), (found, {}))
                if metric_id is not None:
                    values[codes[metric_id]] = value
        return out

    # --- deciding ---------------------------------------------------------------------------
    def plan(self, items: list[Item]) -> Plan:
        weeks: dict[str, Week | Invalid] = {}
        for period in {i.period for i in items}:
            try:
                weeks[period] = self.rules.check_period(period, self.now)
            except Invalid as exc:
                weeks[period] = exc
        units = self._units(i.unit for i in items)
        pairs: list[tuple[Item, UnitRow]] = []
        seen: set[tuple[int, str]] = set()
        for item in items:
            unit = units.get(item.unit)
            if isinstance(bad := weeks[item.period], Invalid):
                self.reject(item, bad.field, bad.code, bad.message)
            elif unit is None:
                self.reject(item, "unit", "unit_not_found", "Không tìm thấy đơn vị.")
            elif (unit.id, item.period) in seen:
                self.reject(item, "unit", "duplicate_item",
                            f"Đơn vị {item.unit} đã có một mục khác cho tuần {item.period} "
                            "trong lần gửi này.")
            else:
                seen.add((unit.id, item.period))
                pairs.append((item, unit))
        existing = self._existing(pairs)
        previous = self._previous([(i, u) for i, u in pairs if self.rules.reads_previous(i.note)])
        book = LockBook(self.session, self.campaign, {i.period for i, _ in pairs}, self.now)
        accepted: dict[int, list[tuple[str, Values]]] = defaultdict(list)
        plan = Plan([], [], 0)
        for item, unit in pairs:
            old = existing.get((unit.id, item.period))
            if old is not None and old.values == item.values:
                plan.unchanged += 1  # nothing to write, whatever the strategy: a resend is harmless
                continue
            # A locked week first: no strategy or version can write into it.
            if (refusal := book.refusal(unit.path, item.period)) is not None:
                self.reject(item, refusal.field, refusal.code, refusal.message)
                continue
            if (refusal := self._may_replace(item, old)) is not None:
                self.reject(item, *refusal)
                continue
            if old is not None and old.status == ReportStatus.approved:
                self.reject(item, "period", "report_approved",
                            "Báo cáo đã được duyệt, không thể sửa.")
                continue
            prev = _latest_before(previous.get((unit.id, item.period)), accepted[unit.id],
                                  item.period) if self.rules.reads_previous(item.note) else None
            try:
                warnings = self.rules.check_values(unit, weeks[item.period], item.values,
                                                   item.note, prev, session=self.session)
                self.findings.append((unit.id, item.period, warnings))
            except Invalid as exc:
                self.reject(item, exc.field, exc.code, exc.message)
                continue
            accepted[unit.id].append((item.period, item.values))
            if old is None:
                plan.creates.append((item, unit))
            else:
                plan.updates.append((item, unit, old))
        self.conflicts.sort(key=lambda c: c.index)
        return plan

    def _may_replace(self, item: Item, old: Existing | None) -> tuple[str, str, str] | None:
        """(field, code, message) when the item may not write over what is stored."""
        if item.version is not None:
            if old is None:
                return ("version", "version_mismatch",
                        f"Đơn vị chưa có báo cáo tuần {item.period} để cập nhật phiên bản "
                        f"{item.version}; bỏ `version` để tạo mới.")
            if old.version != item.version:
                return ("version", "version_mismatch",
                        f"Báo cáo tuần {item.period} đang ở phiên bản {old.version}, không "
                        f"phải {item.version}: đã có người sửa; không ghi đè.")
            return None
        if old is not None and self.strategy == BulkStrategy.create_only:
            return ("period", "report_exists",
                    f"Đơn vị đã có báo cáo tuần {item.period} (phiên bản {old.version}); giữ "
                    "nguyên. Gửi `version` hoặc strategy `create_and_update` để cập nhật.")
        return None

    # --- writing: the driver's executemany --------------------------------------------------------
    def write(self, plan: Plan, source: str) -> None:
        p, now, conn = self.principal, self.now, self.session.connection()
        sender = {"sender_name": p.name, "sender_user_id": p.user_id,
                  "sender_token_id": p.token_id, "source": source}
        changed: list[tuple[int, Item]] = []  # report id, the item with its new values
        if plan.creates:
            calendar = self.rules.calendar
            timeliness = {period: Timeliness.on_time
                          if now < calendar.due(self.rules.check_period(period, now))
                          else Timeliness.late for period in {i.period for i, _ in plan.creates}}
            common = {"campaign_id": self.campaign.id, "status": ReportStatus.submitted,
                      "version": 1, "received_at": now, "updated_at": now, **sender}
            rows = [{"unit_id": u.id, "period": i.period, "note": i.note,
                     "timeliness": timeliness[i.period]} for i, u in plan.creates]
            r = Report.__table__.c
            before = conn.execute(sa_select(func.coalesce(func.max(r.id), 0))).scalar()
            try:
                with self.session.begin_nested():
                    insert_many(conn, Report.__table__, rows, common)
            except IntegrityError:
                raise Conflict("Một số báo cáo vừa được gửi đồng thời bởi người khác; "
                               "hãy gửi lại.", code="concurrent_write") from None
            # executemany and COPY return no ids: they are read back along the primary key,
            # from above the largest id before the insert (rows of concurrent posts may be
            # among them; they are for other units or weeks, else this insert had failed).
            ids = {(uid, period): rid for rid, uid, period in conn.execute(
                sa_select(r.id, r.unit_id, r.period).where(
                    r.id > before, r.campaign_id == self.campaign.id,
                    r.period.in_(sorted(timeliness))))}
            changed += [(ids[(u.id, i.period)], i) for i, u in plan.creates]
        if plan.updates:
            t = Report.__table__
            stmt = (update(t).where(t.c.id == bindparam("b_id"),
                                    t.c.version == bindparam("b_version"))
                    .values(version=bindparam("b_new"), note=bindparam("b_note"),
                            status=ReportStatus.submitted, updated_at=now, **sender))
            result = conn.execute(stmt, [{"b_id": old.id, "b_version": old.version,
                                          "b_new": old.version + 1, "b_note": i.note}
                                         for i, _, old in plan.updates])
            if result.rowcount != len(plan.updates):
                raise PreconditionFailed("Một số báo cáo vừa được người khác sửa; hãy gửi lại.",
                                         code="version_mismatch")
            insert_many(conn, ReportRevision.__table__,
                        [superseded(old.row, old.values) for _, _, old in plan.updates])
            conn.execute(delete(ReportValue.__table__).where(among(
                conn, ReportValue.__table__.c.report_id, (old.id for _, _, old in plan.updates))))
            changed += [(old.id, i) for i, _, old in plan.updates]
        written = plan.creates + [(i, u) for i, u, _ in plan.updates]
        if written:  # the kept totals of their ancestors, from the earliest week written on
            figures_changed(self.session, self.campaign.id, {u.id for _, u in written},
                            min(i.period for i, _ in written),
                            paths={u.id: u.path for _, u in written})
        metric_ids = {code: m.id for code, m in self.rules.metrics.items()}
        insert_many(conn, ReportValue.__table__, [
            {"report_id": rid, "metric_id": metric_ids[c], "value": v}
            for rid, i in changed for c, v in i.values.items()])
        closed = {(u.id, i.period) for i, u in written if u.closed_on is not None}
        for unit_id, period in sorted(closed):  # a predecessor's late figure: carried again
            predecessor_wrote(self.session, self.campaign.id, unit_id, period, now)


def _latest_before(from_db: tuple[str, Values] | None, from_body: list[tuple[str, Values]],
                   period: str) -> Values | None:
    """The values of the latest week before `period`, an earlier item of the body winning
    over the stored report of the same week."""
    best = from_db
    for p, values in from_body:
        if p < period and (best is None or p >= best[0]):
            best = (p, values)
    return best[1] if best else None


def run_bulk(session: Session, principal: Principal, rules: CampaignRules, raw_items: list[Any],
             *, atomic: bool, dry_run: bool, source: str, now: datetime,
             strategy: BulkStrategy = BulkStrategy.create_only, filename: str | None = None,
             parsed: tuple[list[Item], list[ImportConflict]] | None = None,
             skipped: int = 0) -> ImportSummary:
    """Checks every item, writes the good ones (all or nothing when atomic; nothing on a dry
    run) and keeps a record of the post with its summary. `skipped`: rows of a file that
    named a unit but no value, counted and never turned into items."""
    items, bad = parsed if parsed is not None else parse_items(raw_items)
    total = len(items) + len(bad) + skipped
    run = BulkRun(session, principal, rules, now, strategy)
    run.conflicts.extend(bad)
    plan = run.plan(items)
    failed = atomic and bool(run.conflicts)
    if failed:  # all or nothing: everything that would have changed is rejected with it
        plan = Plan([], [], plan.unchanged)
    if not dry_run:
        run.write(plan, source)
        if rules.quality and (plan.creates or plan.updates):
            written = {(u.id, i.period) for i, u in plan.creates}
            written |= {(u.id, i.period) for i, u, _ in plan.updates}
            record_findings(session, rules.campaign.id,
                            [f for f in run.findings if (f[0], f[1]) in written], now)
    rejected = total - plan.unchanged - skipped if failed else len(run.conflicts)
    summary = ImportSummary(import_id=None, dry_run=dry_run, atomic=atomic, strategy=strategy,
                            total=total, created=len(plan.creates), updated=len(plan.updates),
                            unchanged=plan.unchanged, skipped=skipped, rejected=rejected,
                            conflicts=run.conflicts)
    kept = BulkImport(at=now, actor_name=principal.name, actor_user_id=principal.user_id,
                      actor_token_id=principal.token_id, source=source, filename=filename,
                      campaign_id=rules.campaign.id, items=total, created=summary.created,
                      updated=summary.updated, unchanged=summary.unchanged, skipped=skipped,
                      rejected=rejected,
                      dry_run=dry_run, atomic=atomic,
                      conflicts=[c.model_dump() for c in (
                          run.conflicts[:DRY_RUN_KEPT_CONFLICTS] if dry_run else run.conflicts)])
    session.add(kept)
    session.flush()
    summary.import_id = kept.id
    if not dry_run:  # every real post, even one that changed nothing, is filed with its sender
        record(session, principal, "report.bulk", "bulk_import", kept.id,
               unit_id=principal.grants[0].unit_id if principal.grants else None,
               detail={"source": source, "strategy": str(strategy), "created": summary.created,
                       "updated": summary.updated, "skipped": skipped, "rejected": rejected},
               at=now)
    return summary
