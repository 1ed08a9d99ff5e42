import { t, type MessageKey } from '../i18n'

export type ReportStatus = 'on_time' | 'late' | 'missing' | 'pending' | 'submitted' | 'approved' | 'returned' | 'draft'
export type ForecastStatus = 'met' | 'on_track' | 'at_risk' | 'behind'
export type BadgeStatus = ReportStatus | ForecastStatus

const LABELS: Record<BadgeStatus, MessageKey> = {
  on_time: 'status.on_time',
  late: 'status.late',
  missing: 'status.missing',
  pending: 'status.pending',
  submitted: 'status.submitted',
  approved: 'status.approved',
  returned: 'status.returned',
  draft: 'status.draft',
  met: 'forecast.met',
  on_track: 'forecast.on_track',
  at_risk: 'forecast.at_risk',
  behind: 'forecast.behind',
}

// Colour is never the only signal: the label text is always shown.
const TONES: Record<BadgeStatus, 'ok' | 'warn' | 'bad' | 'info' | 'neutral'> = {
  on_time: 'ok',
  late: 'warn',
  missing: 'bad',
  pending: 'neutral',
  submitted: 'info',
  approved: 'ok',
  returned: 'warn',
  draft: 'neutral',
  met: 'ok',
  on_track: 'ok',
  at_risk: 'warn',
  behind: 'bad',
}

export function StatusBadge({ status }: { status: BadgeStatus | string }) {
  const known = status in LABELS ? (status as BadgeStatus) : null
  return (
    <span class={`badge badge-${known ? TONES[known] : 'neutral'}`} data-status={status}>
      {known ? t(LABELS[known]) : status}
    </span>
  )
}
