// Hand-written types for the weekly-cycle and progress endpoints agreed in the API contract,
// built on other branches. After the merge they move to the generated schema.d.ts types and
// these calls to `api.GET/POST(...)`; until then they go through plain fetch (http.ts).
import type { ReportPublic } from './types'
import { download, request, type Query } from './http'

export type Period = string // "2024-W36"

export interface UnitRef {
  id: number
  code: string
  name: string
  kind?: string
}

// ------------------------------------------------------------ weekly cycle

export type CompletenessStatus = 'on_time' | 'late' | 'missing' | 'pending'

export interface CompletenessUnit {
  unit_id: number
  unit: string
  unit_name: string
  kind: string
  status: CompletenessStatus
  report_id: number | null
  received_at: string | null
  sender_name: string | null
  report_status: 'submitted' | 'approved' | 'returned' | null
}

export interface Completeness {
  campaign: string
  period: Period
  due_at: string
  as_of: string
  locked: boolean
  under: UnitRef
  expected: number
  on_time: number
  late: number
  missing: number
  reporting_rate: number
  on_time_rate: number
  units: CompletenessUnit[]
}

export interface DueItem {
  campaign: string
  unit: string
  unit_name: string
  period: Period
  due_at: string
  status: 'due' | 'overdue' | 'submitted' | 'late' | 'on_time'
  report_id: number | null
}

export interface Lock {
  id: number
  campaign: string
  period: Period
  unit: string
  unit_name: string
  locked_at: string
  locked_by_name: string
  reason: string | null
  automatic: boolean
}

export interface BulkConflict {
  index: number
  unit: string
  field: string | null
  code: string
  message: string
}

export interface ImportSummary {
  import_id: number | null
  dry_run: boolean
  atomic: boolean
  total: number
  created: number
  updated: number
  unchanged: number
  rejected: number
  conflicts: BulkConflict[]
}

export interface Delivery {
  webhook_id: number
  url: string
  units: number
  status: 'delivered' | 'failed'
  attempts: number
  error: string | null
}

export interface ReminderResult {
  period: Period
  missing: number
  deliveries: Delivery[]
}

// ------------------------------------------------------------ progress

export type Forecast = 'met' | 'on_track' | 'at_risk' | 'behind'

export interface OfficialCount {
  value: number
  observed_at: string
  source: string
  gap: number
}

export interface ProgressChild {
  unit_id: number
  unit: string
  unit_name: string
  kind: string
  numerator: number
  denominator: number
  ratio: number | null
  remaining: number
  status: Forecast
  stale: boolean
  last_period: Period | null
  over_100: boolean
  rank: number
}

export interface TargetProgress {
  target_id: number
  code: string
  name: string
  numerator_metric: string
  denominator_metric: string
  goal_ratio: number
  deadline: string
  upstream_deadline: string | null
  numerator: number
  denominator: number
  ratio: number | null
  remaining: number
  weekly_pace: number | null
  forecast_date: string | null
  status: Forecast
  upstream_status: Forecast | null
  over_100: boolean
  units_expected: number
  units_counted: number
  units_stale: number
  units_missing: number
  official: OfficialCount | null
  children: ProgressChild[]
}

export interface Progress {
  campaign: string
  period: Period
  as_of: string
  under: UnitRef
  targets: TargetProgress[]
}

export interface SeriesPoint {
  period: Period
  numerator: number
  denominator: number
  ratio: number | null
}

export interface Series {
  campaign: string
  under: UnitRef
  targets: { target_id: number; code: string; name: string; goal_ratio: number; points: SeriesPoint[] }[]
}

// ------------------------------------------------------------ calls

const scope = (campaign: string, under?: string | null, period?: string | null): Query => ({
  campaign,
  under,
  period,
})

/** Drop empty keys: the API's bodies forbid unknown values and nulls where it wants a code. */
function compact(o: Record<string, string | null | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v)) as Record<string, string>
}

export const contract = {
  completeness: (campaign: string, under?: string | null, period?: string | null) =>
    request<Completeness>('GET', '/completeness', { query: scope(campaign, under, period) }),
  due: (campaign: string) => request<DueItem[]>('GET', '/due', { query: { campaign } }),
  approve: (id: number) => request<ReportPublic>('POST', `/reports/${id}/approve`),
  returnReport: (id: number, reason: string) =>
    request<ReportPublic>('POST', `/reports/${id}/return`, { body: { reason } }),
  locks: (campaign: string, period?: string | null) =>
    request<Lock[]>('GET', '/locks', { query: { campaign, period } }),
  lock: (campaign: string, period: string, unit: string, reason?: string) =>
    request<Lock>('POST', '/locks', { body: { campaign, period, unit, ...(reason ? { reason } : {}) } }),
  unlock: (campaign: string, period: string, unit: string, reason: string) =>
    request<unknown>('POST', '/locks/unlock', { body: { campaign, period, unit, reason } }),
  importFile: (file: File, campaign: string, period: string, dryRun: boolean) => {
    const form = new FormData()
    form.set('file', file)
    form.set('campaign', campaign)
    form.set('period', period)
    form.set('dry_run', dryRun ? 'true' : 'false')
    return request<ImportSummary>('POST', '/reports/import', { form })
  },
  importTemplate: (campaign: string, period: string, under?: string | null) =>
    download('/reports/import-template', { ...scope(campaign, under, period), format: 'xlsx' },
      `mau-nhap-${campaign}-${period}.xlsx`),
  remind: (campaign: string, period?: string | null, under?: string | null) =>
    request<ReminderResult>('POST', '/reminders', { body: compact({ campaign, period, under }) }),
  progress: (campaign: string, under?: string | null, period?: string | null) =>
    request<Progress>('GET', '/progress', { query: scope(campaign, under, period) }),
  series: (campaign: string, under?: string | null) =>
    request<Series>('GET', '/progress/series', { query: scope(campaign, under) }),
  exportWeekly: (campaign: string, period: string, under?: string | null) =>
    download('/exports/weekly-report.xlsx', scope(campaign, under, period),
      `bao-cao-tuan-${campaign}-${period}.xlsx`),
}
