// Short names for the generated API types (schema.d.ts, `make openapi`). Aliases only: no
// hand-written shapes, so the web app cannot drift from the backend.
import type { components } from './schema'

type S = components['schemas']
export type UserPublic = S['UserPublic']
export type RolePublic = S['RolePublic']
export type CampaignPublic = S['CampaignPublic']
export type MetricPublic = S['MetricPublic']
export type TargetPublic = S['TargetPublic']
export type UnitPublic = S['UnitPublic']
export type ReportPublic = S['ReportPublic']
export type RevisionPublic = S['RevisionPublic']
export type ApiTokenPublic = S['ApiTokenPublic']
export type ApiTokenCreated = S['ApiTokenCreated']
export type Role = S['Role']
export type UnitKind = S['UnitKind']
// weekly cycle
export type Completeness = S['CompletenessPublic']
export type CompletenessUnit = S['CompletenessUnit']
export type LockPublic = S['LockPublic']
export type ReminderQueued = S['ReminderQueued']
export type ReminderMessagePublic = S['ReminderMessagePublic']
export type SchedulePublic = S['SchedulePublic']
export type ScheduleEntry = S['ScheduleEntry']
export type WebhookPublic = S['WebhookPublic']
export type UnitChannelsPublic = S['UnitChannelsPublic']
export type TestResult = S['TestResult']
export type ImportSummary = S['ImportSummary']
export type ImportBody = S['Body_reports-import']
// progress
export type Progress = S['ProgressPublic']
export type TargetProgress = S['TargetProgress']
export type ChildProgress = S['ChildProgress']
export type SeriesPoint = S['SeriesPoint']
// the chase list (Cần đôn đốc)
export type ChasePublic = S['ChasePublic']
export type ChaseWeek = S['ChaseWeek']
export type ChaseUnit = S['ChaseUnit']
export type ChaseArea = S['ChaseArea']
// data quality
export type Finding = S['Finding']
export type FlagPublic = S['FlagPublic']
