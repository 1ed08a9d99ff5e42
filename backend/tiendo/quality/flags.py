"""Storing flags: one per campaign × unit × week × kind × key, upserted idempotently.

A flag keeps a fingerprint of the figures that raised it. Checking again with the same figures
changes nothing (a reviewed flag stays reviewed); different figures update the flag and open it
again; an open flag that is no longer raised is removed (the unit corrected its report), a
reviewed one is kept as the record of that review.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, select

from tiendo.db import among
from tiendo.quality.models import FlagKind, FlagState, QualityFlag
from tiendo.quality.schemas import Finding


@dataclass(frozen=True, slots=True)
class Raised:
    unit_id: int
    period: str
    kind: FlagKind
    key: str
    severity: str
    message: str
    figures: dict[str, Any]
    # What the fingerprint covers, when not all the figures: the unit's own (not its peers'),
    # so that a reviewed flag stays quiet while only other units' reports change.
    basis: dict[str, Any] | None = None

    @property
    def ident(self) -> tuple[int, str, str, str]:
        return self.unit_id, self.period, str(self.kind), self.key

    @property
    def fingerprint(self) -> str:
        basis = self.figures if self.basis is None else self.basis
        text = json.dumps(basis, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:64]


@dataclass
class Outcome:
    raised: int = 0
    changed: int = 0
    cleared: int = 0


def upsert(session: Session, campaign_id: int, raised: Iterable[Raised],
           scope: list[QualityFlag], now: datetime) -> Outcome:
    """Makes the stored flags of `scope` (the flags the same check raised before) agree with
    `raised`."""
    out = Outcome()
    stored = {(f.unit_id, f.period, f.kind, f.key): f for f in scope}
    seen: set[tuple[int, str, str, str]] = set()
    for r in raised:
        seen.add(r.ident)
        flag = stored.get(r.ident)
        if flag is None:
            session.add(QualityFlag(campaign_id=campaign_id, unit_id=r.unit_id, period=r.period,
                                    kind=r.kind, key=r.key, severity=r.severity,
                                    message=r.message[:1000], figures=r.figures,
                                    fingerprint=r.fingerprint, created_at=now, updated_at=now))
            out.raised += 1
        elif flag.fingerprint != r.fingerprint:
            flag.figures, flag.fingerprint, flag.message = r.figures, r.fingerprint, r.message[:1000]
            flag.severity, flag.state, flag.updated_at = r.severity, FlagState.open, now
            session.add(flag)
            out.changed += 1
    gone = [f.id for k, f in stored.items() if k not in seen and f.state == FlagState.open]
    if gone:
        session.exec(delete(QualityFlag).where(among(session.connection(), QualityFlag.id, gone)))
        out.cleared = len(gone)
    session.flush()
    return out


def rule_raised(unit_id: int, period: str, findings: list[Finding]) -> list[Raised]:
    return [Raised(unit_id, period, FlagKind.rule, str(f.rule_id), f.severity, f.message,
                   f.figures) for f in findings]


def record_findings(session: Session, campaign_id: int,
                    reports: list[tuple[int, str, list[Finding]]], now: datetime) -> None:
    """Records the rule warnings of reports just written ((unit id, week, findings) each):
    the rule flags of those units and weeks then say what their current values break."""
    if not reports:
        return
    units = sorted({u for u, _, _ in reports})
    pairs = {(u, p) for u, p, _ in reports}
    scope = [f for f in session.exec(select(QualityFlag).where(
        QualityFlag.campaign_id == campaign_id, QualityFlag.kind == FlagKind.rule,
        QualityFlag.period.in_(sorted({p for _, p in pairs})),
        among(session.connection(), QualityFlag.unit_id, units))).all() if (f.unit_id, f.period) in pairs]
    raised = [r for u, p, found in reports for r in rule_raised(u, p, found)]
    upsert(session, campaign_id, raised, scope, now)
