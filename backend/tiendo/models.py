"""Imports every table model, so that SQLModel.metadata (and Alembic) knows all of them."""

from tiendo.audit.models import AuditEvent
from tiendo.auth.models import ApiToken, LoginFailure, RoleAssignment, User
from tiendo.campaigns.models import Baseline, Campaign, Metric, Target
from tiendo.cycle.models import BulkImport, IdempotencyKey, PeriodLock
from tiendo.figures.cache import FigureStamp, FigureTotal, StatusTotal
from tiendo.official.models import OfficialCount
from tiendo.quality.models import QualityFlag, QualityRule, QualitySettings
from tiendo.reminders.models import (
    ReminderMessage,
    ReminderScheduleEntry,
    UnitReminderChannels,
    Webhook,
)
from tiendo.reorg.models import Reorganization, ReorganizationLink
from tiendo.reports.models import Report, ReportRevision, ReportValue
from tiendo.units.models import Unit

__all__ = [
    "ApiToken", "AuditEvent", "Baseline", "BulkImport", "Campaign", "FigureStamp", "FigureTotal",
    "IdempotencyKey", "LoginFailure", "Metric", "OfficialCount", "PeriodLock", "QualityFlag",
    "QualityRule", "QualitySettings", "Report", "ReportRevision", "ReminderMessage",
    "Reorganization", "ReorganizationLink", "ReminderScheduleEntry", "ReportValue",
    "RoleAssignment", "StatusTotal", "Target", "Unit",
    "UnitReminderChannels", "User", "Webhook",
]
