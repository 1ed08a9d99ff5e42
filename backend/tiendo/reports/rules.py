"""What a campaign accepts in a weekly report: its weeks, its metrics per unit kind, its
targets' numerator ≤ denominator, and a note for any count that goes down."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

from sqlmodel import Session

from tiendo.auth.principal import Action, Principal
from tiendo.campaigns.calendar import Calendar
from tiendo.campaigns.config import CampaignConfig, campaign_config
from tiendo.campaigns.models import Campaign, Metric, Target
from tiendo.core.periods import Week
from tiendo.errors import Invalid
from tiendo.quality.rules import RuleSpec, baseline_lookup, evaluate, load_rules
from tiendo.quality.schemas import Finding
from tiendo.units.models import Unit

_NONE: frozenset[str] = frozenset()  # the codes of a kind no metric names


@dataclass(frozen=True, slots=True)
class TargetCheck:
    """A target as a report is checked against it: its name, the codes of its numerator and
    denominator, and which of them a report must carry (a baseline comes from elsewhere)."""

    name: str
    numerator: str
    denominator: str
    required: tuple[str, ...]


@dataclass
class CampaignRules:
    """What a campaign accepts. Built once per campaign configuration and shared by the
    requests and threads of a process: read it, never change it."""

    campaign: Campaign
    metrics: dict[str, Metric]
    targets: list[Target]

    @classmethod
    def of(cls, config: CampaignConfig) -> CampaignRules:
        """The rules of a configuration, built once per configuration and process."""
        rules = config.derived.get("report_rules")
        if rules is None:
            rules = cls(config.campaign, {m.code: m for m in config.metrics},
                        list(config.targets))
            config.derived["report_rules"] = rules
        return rules

    @classmethod
    def load(cls, session: Session, campaign: Campaign) -> CampaignRules:
        return cls.of(campaign_config(session, None, campaign.id)).with_quality(session)

    @classmethod
    def for_writing(cls, session: Session, principal: Principal, ref: str) -> CampaignRules:
        """The rules of a campaign `principal` may report into (else 404)."""
        return cls.of(campaign_config(session, principal, ref, action=Action.report_write)
                      ).with_quality(session)

    def with_quality(self, session: Session) -> CampaignRules:
        """Loads the campaign's data-quality rules once per configuration: changing a rule
        gives the campaign a new config tag (`touch_config`), hence new CampaignRules."""
        if "quality" not in self.__dict__:
            self.__dict__["quality"] = load_rules(session, self.campaign.id)
        return self

    @property
    def quality(self) -> tuple[RuleSpec, ...]:
        return self.__dict__.get("quality", ())

    @cached_property
    def metric_codes(self) -> dict[int, str]:
        return {m.id: m.code for m in self.metrics.values()}

    def targets_for(self, unit: Unit) -> tuple[Target, ...]:
        """The targets that count the unit, in the campaign's order (a bulk post asks
        thousands of times: per kind once, unless a target names the unit itself)."""
        if unit.id in self._named_units:
            return tuple(t for t in self.targets if t.unit_id == unit.id
                         or (t.unit_id is None and unit.kind in t.unit_kinds))
        return self._kind_targets.get(unit.kind, ())

    @cached_property
    def _named_units(self) -> frozenset[int]:
        return frozenset(t.unit_id for t in self.targets if t.unit_id is not None)

    @cached_property
    def _kind_targets(self) -> dict[str, tuple[Target, ...]]:
        kinds = {k for t in self.targets for k in t.unit_kinds}
        return {kind: tuple(t for t in self.targets
                            if t.unit_id is None and kind in t.unit_kinds) for kind in kinds}

    def _checks_for(self, unit: Unit) -> tuple[TargetCheck, ...]:
        """What `check_values` asks of the unit's targets, read off the table rows once per
        target (a bulk post asks for thousands of units of a few kinds)."""
        if unit.id in self._named_units:
            return tuple(self._checks[id(t)] for t in self.targets_for(unit))
        kinds = self._kind_checks
        if unit.kind not in kinds:
            kinds[unit.kind] = tuple(self._checks[id(t)] for t in self.targets_for(unit))
        return kinds[unit.kind]

    @cached_property
    def _kind_checks(self) -> dict[str, tuple[TargetCheck, ...]]:
        """_checks_for's answers per unit kind, filled as kinds come."""
        return {}

    @cached_property
    def _checks(self) -> dict[int, TargetCheck]:
        """Per target (by identity: the rules hold the rows), its codes."""
        by_id, out = self.metric_codes, {}
        for t in self.targets:
            num, den = by_id[t.numerator_metric_id], by_id[t.denominator_metric_id]
            out[id(t)] = TargetCheck(t.name, num, den, tuple(
                c for c in (num, den) if not self.metrics[c].is_baseline))
        return out

    @cached_property
    def calendar(self) -> Calendar:
        return Calendar(self.campaign)

    def check_period(self, period: str, now: datetime, field: str = "period") -> Week:
        return self.calendar.week(period, now, field)

    @cached_property
    def _weekly_codes(self) -> dict[str, frozenset[str]]:
        """Per unit kind, the codes it reports every week: a bulk post checks thousands."""
        kinds = {k for m in self.metrics.values() for k in m.unit_kinds}
        return {kind: frozenset(c for c, m in self.metrics.items()
                                if not m.is_baseline and kind in m.unit_kinds) for kind in kinds}

    def due_date(self, week: Week) -> date:
        """The week's due date, computed once per week (a bulk post checks thousands of items
        of a few weeks; the rules are rebuilt whenever the campaign's settings change)."""
        days = self.__dict__.setdefault("_due_dates", {})
        if week not in days:
            days[week] = self.calendar.due_date(week)
        return days[week]

    def check_open(self, unit: Unit, week: Week) -> None:
        """A unit reports only for weeks whose due moment falls while it is open."""
        day = self.due_date(week)
        if unit.closed_on is not None and unit.closed_on <= day:
            raise Invalid(f"Đơn vị đã thôi hoạt động từ {unit.closed_on:%d/%m/%Y}, trước hạn nộp "
                          f"tuần {week} ({day:%d/%m/%Y}).", field="unit", code="unit_inactive")
        if unit.opened_on is not None and unit.opened_on > day:
            raise Invalid(f"Đơn vị bắt đầu hoạt động từ {unit.opened_on:%d/%m/%Y}, sau hạn nộp "
                          f"tuần {week} ({day:%d/%m/%Y}).", field="unit", code="unit_not_open")

    def reads_previous(self, note: str) -> bool:
        """Whether `check_values` looks at the previous week's values of a report with this
        note: for its quality rules, or to ask a note for a count that goes down. A bulk post
        reads them only for the items that need them."""
        return bool(self.quality) or not note.strip()

    def check_values(self, unit: Unit, week: Week, values: Mapping[str, int], note: str,
                     previous: Mapping[str, int] | None, prefix: str = "values",
                     session: Session | None = None) -> list[Finding]:
        """Refuses values the campaign does not accept (a blocking quality rule among them,
        `quality_rule_failed`); answers the warnings of its quality rules, for the caller to
        record with the report (`tiendo.quality.flags.record_findings`)."""
        warnings, blocking = self.check_quality(unit, values, previous, session)
        self.check_open(unit, week)
        if not values.keys() <= self._weekly_codes.get(unit.kind, _NONE):
            self._refuse_codes(unit, values, prefix)
        for check in self._checks_for(unit):
            for code in check.required:
                if code not in values:
                    raise Invalid(f"Thiếu chỉ số '{code}' (dùng cho chỉ tiêu '{check.name}').",
                                  field=f"{prefix}.{code}", code="missing_metric")
            num, den = check.numerator, check.denominator
            if num in values and den in values and values[num] > values[den]:
                raise Invalid(f"'{num}' ({values[num]}) không thể lớn hơn '{den}' ({values[den]}).",
                              field=f"{prefix}.{num}", code="numerator_exceeds_denominator")
        if previous and not note.strip():
            for code, value in values.items():
                if code in previous and value < previous[code]:
                    raise Invalid(
                        f"'{code}' giảm từ {previous[code]} xuống {value} so với tuần trước; "
                        "hãy ghi chú lý do.", field="note", code="decrease_needs_note",
                        details=[{"field": f"{prefix}.{code}", "previous": previous[code],
                                  "value": value}])
        if blocking:
            raise Invalid("; ".join(f.message for f in blocking),
                          field=f"{prefix}.{blocking[0].metric}", code="quality_rule_failed",
                          details=[f.model_dump(mode="json") for f in blocking])
        return warnings

    def check_quality(self, unit: Unit, values: Mapping[str, int],
                      previous: Mapping[str, int] | None, session: Session | None,
                      ) -> tuple[list[Finding], list[Finding]]:
        """(warnings, blocking) of the campaign's quality rules for these values."""
        if not self.quality:
            return [], []
        if session is None:
            def baseline(_: str) -> None:
                return None
        else:
            baseline = baseline_lookup(session, self.campaign.id, unit.id)
        found = evaluate(self.quality, unit.kind, values, previous, baseline)
        return ([f for f in found if f.severity == "warning"],
                [f for f in found if f.severity == "blocking"])

    def _refuse_codes(self, unit: Unit, values: Mapping[str, int], prefix: str) -> None:
        """Says why a code is not one this unit reports weekly."""
        for code in values:
            metric = self.metrics.get(code)
            if metric is None:
                raise Invalid(f"Chiến dịch không có chỉ số '{code}'.", field=f"{prefix}.{code}",
                              code="unknown_metric")
            if metric.is_baseline:
                raise Invalid(f"'{code}' là số liệu nền, không báo cáo hằng tuần.",
                              field=f"{prefix}.{code}", code="baseline_metric")
            if unit.kind not in metric.unit_kinds:
                raise Invalid(f"Đơn vị loại '{unit.kind}' không báo cáo chỉ số '{code}'.",
                              field=f"{prefix}.{code}", code="metric_not_for_unit")
