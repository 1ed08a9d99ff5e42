import { useEffect, useRef, useState } from 'preact/hooks'
import { api, call, type ApiError } from '../api/client'
import { isUnsent } from '../offline/outbox'
import { submitReport, useOutbox } from '../offline/queue'
import type { ApiResult } from '../api/errors'
import type { CampaignPublic, Finding, ReportPublic, TargetPublic, UnitPublic } from '../api/types'
import { ErrorBox } from '../components/ErrorBox'
import { Loading } from '../components/Loading'
import { StatusBadge } from '../components/StatusBadge'
import { countdownText, formatDateTime, formatNumber, formatWeek, isOverdue } from '../format'
import { useApi } from '../hooks'
import { getLang, t } from '../i18n'
import { dueAt } from '../period'
import { checkReport, decreased, parseCount, reportableMetrics, targetsFor, type FieldErrors } from '../reportRules'
import { Link } from '../router'

interface Props {
  campaign: CampaignPublic
  unit: UnitPublic
  period: string
}

interface Loaded {
  current: ReportPublic | null
  previous: ReportPublic | null
  targets: TargetPublic[]
  locked: boolean
}

/** This week's report, last week's, the targets, and whether the week is locked for the unit. */
async function loadForm(campaign: string, unit: string, period: string): Promise<ApiResult<Loaded>> {
  const [reports, targets, completeness] = await Promise.all([
    // Newest first: any open week may be picked, so read enough weeks to find the one before it.
    call(api.GET('/api/v1/reports', { params: { query: { campaign, unit, limit: 60 } } })),
    call(api.GET('/api/v1/targets', { params: { query: { campaign, limit: 500 } } })),
    call(api.GET('/api/v1/completeness', { params: { query: { campaign, under: unit, period, limit: 1 } } })),
  ])
  if (reports.error) return { error: reports.error }
  if (targets.error) return { error: targets.error }
  const rows = reports.data.data
  return {
    data: {
      current: rows.find((r) => r.period === period) ?? null,
      previous: rows.find((r) => r.period < period) ?? null,
      targets: targets.data.data,
      // Unreadable lock state is not fatal: saving into a locked week still answers 423.
      locked: completeness.data?.locked ?? false,
    },
  }
}

export function ReportForm({ campaign, unit, period }: Props) {
  const res = useApi(() => loadForm(campaign.code, unit.code, period), [campaign.code, unit.code, period])
  if (res.loading && !res.data) return <Loading />
  if (res.error) return <ErrorBox error={res.error} onRetry={res.reload} />
  if (!res.data) return null
  // A new version from the server (another tab, another person) starts the form afresh.
  return <Form key={res.data.current?.version ?? 0} {...{ campaign, unit, period }} loaded={res.data} reload={res.reload} />
}

/** Figures shown the Vietnamese way ("1.234"), which the parser reads back. */
function toTexts(values: Record<string, number> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(values ?? {}).map(([k, v]) => [k, formatNumber(v)]))
}

function Form({ campaign, unit, period, loaded, reload }: Props & { loaded: Loaded; reload: () => void }) {
  const lang = getLang()
  const metrics = reportableMetrics(campaign.metrics, unit.kind)
  const targets = targetsFor(loaded.targets, unit)
  const previous = loaded.previous?.values ?? null
  const [report, setReport] = useState<ReportPublic | null>(loaded.current)
  const [texts, setTexts] = useState<Record<string, string>>(() => toTexts((loaded.current ?? loaded.previous)?.values))
  const [note, setNote] = useState(loaded.current?.note ?? '')
  const [errors, setErrors] = useState<FieldErrors>({})
  const [apiError, setApiError] = useState<ApiError | null>(null)
  const [busy, setBusy] = useState(false)
  const [done, setDone] = useState<{ report: ReportPublic; corrected: boolean } | null>(null)
  const [locked, setLocked] = useState(loaded.locked)
  // The data-quality rules' findings for the values as typed: shown before sending; sending the
  // same values again (after reading the warnings) goes through.
  const [quality, setQuality] = useState<{ key: string; warnings: Finding[]; blocking: Finding[] } | null>(null)
  const confirmation = useRef<HTMLDivElement>(null)
  const shownAt = useRef(new Date().toISOString())
  useEffect(() => confirmation.current?.focus(), [done])

  // This week's report waiting in the outbox: changed there, not sent a second time from here.
  const outbox = useOutbox().filter((i) => i.label.campaign === campaign.code && i.label.unit === unit.code && i.label.period === period)
  const waiting = outbox.some(isUnsent)
  const sentMeanwhile = outbox.find((i) => i.state === 'sent' && (i.sentAt ?? '') > shownAt.current)?.key
  useEffect(() => {
    if (sentMeanwhile) reload() // sent from the outbox: show the report as the server has it
  }, [sentMeanwhile])

  const due = dueAt(campaign, period)
  const approved = report?.status === 'approved'
  const readOnly = locked || approved || waiting
  const parsed = Object.fromEntries(metrics.map((m) => [m.code, parseCount(texts[m.code] ?? '')]))
  const noteNeeded = decreased(parsed, previous).length > 0

  const messages = {
    required: t('check.required'),
    integer: t('check.integer'),
    tooLarge: t('check.too_large'),
    exceeds: (other: string, value: number) => t('check.exceeds', { other, n: formatNumber(value) }),
    noteRequired: t('check.note_required'),
  }

  const submit = async (e: Event) => {
    e.preventDefault()
    if (busy || readOnly) return
    setDone(null)
    setApiError(null)
    const checked = checkReport(texts, note, metrics, targets, previous, messages)
    setErrors(checked.errors)
    if (Object.keys(checked.errors).length > 0) {
      focusFirstError(checked.errors)
      return
    }
    setBusy(true)
    const key = JSON.stringify([checked.values, note])
    if (!quality || quality.key !== key || quality.blocking.length > 0) {
      const c = await call(api.POST('/api/v1/reports/check', {
        body: { campaign: campaign.code, unit: unit.code, period, values: checked.values, note },
      }))
      if (c.error && c.error.code !== 'network') {
        setBusy(false)
        return showApiError(c.error)
      }
      if (c.data && (c.data.warnings.length > 0 || c.data.blocking.length > 0)) {
        setQuality({ key, warnings: c.data.warnings, blocking: c.data.blocking })
        setBusy(false)
        return // read the warnings first; sending again sends
      }
      setQuality(null) // offline: the server checks again when the outbox sends
    }
    // Through the outbox: a key made now, kept on the device until the server has the report.
    const label = { campaign: campaign.code, unit: unit.code, unitName: unit.name, period,
      metrics: metrics.map((m) => ({ code: m.code, name: m.name })) }
    const r = await submitReport(report
      ? { method: 'PUT', path: `/api/v1/reports/${report.id}`, label,
          body: { values: checked.values, note, version: report.version } }
      : { method: 'POST', path: '/api/v1/reports', label,
          body: { campaign: campaign.code, unit: unit.code, period, values: checked.values, note } })
    setBusy(false)
    if (r.kind === 'refused') return showApiError(r.error)
    if (r.kind === 'queued') return // the outbox shows it, and sends it when it can
    setDone({ report: r.report, corrected: report !== null })
    setReport(r.report)
  }

  const showApiError = (error: ApiError) => {
    if (error.code === 'period_locked' || error.code === 'locked') setLocked(true)
    const field = error.field && (error.field === 'note' || error.field.startsWith('values.')) ? error.field : null
    if (field) {
      const extra: FieldErrors = { [field]: error.message }
      // "decrease_needs_note" names the note and, in details, the count that went down.
      for (const d of error.details as { field?: string }[]) if (d?.field) extra[d.field] = t('check.went_down')
      setErrors(extra)
      focusFirstError(extra)
    } else setApiError(error)
  }

  return (
    <form class="card report-form" onSubmit={submit} noValidate>
      <h2>
        {report ? t('report.correct_title') : t('report.new_title')} — {unit.name}
      </h2>
      <p>
        {t('report.period')}: <strong>{formatWeek(period, lang)}</strong>
      </p>
      <p>
        {t('deadline.weekly')}: <strong>{formatDateTime(due)}</strong>{' '}
        <span class={isOverdue(due) ? 'text-bad' : undefined}>({countdownText(due, new Date(), lang)})</span>
      </p>
      {!report && (
        <p class={isOverdue(due) ? 'notice notice-warn' : 'notice'}>
          {isOverdue(due) ? t('report.late_now') : t('report.on_time_now')}
        </p>
      )}
      {report && !done && (
        <p class="notice">
          {t(locked ? 'report.existing_locked' : 'report.existing', { time: formatDateTime(report.received_at), v: report.version })}{' '}
          <StatusBadge status={report.timeliness} /> <StatusBadge status={report.status} />
          {report.status === 'returned' && report.review_reason && (
            <>
              <br />
              {t('report.returned_reason', { reason: report.review_reason })}
            </>
          )}
        </p>
      )}
      {waiting && <p class="notice" role="status">{t('outbox.form_queued')}</p>}
      {locked && <p class="notice notice-warn">{t('report.locked')}</p>}
      {approved && !locked && <p class="notice">{t('report.approved')}</p>}
      {!report && loaded.previous && <p class="hint">{t('report.prefilled', { week: formatWeek(loaded.previous.period, lang) })}</p>}
      {metrics.length === 0 ? (
        <p class="notice">{t('report.no_metrics')}</p>
      ) : (
        <fieldset disabled={readOnly || busy}>
          <legend class="visually-hidden">{t('report.values')}</legend>
          <p class="hint">{t('report.cumulative')}</p>
          <div class="metric-grid">
            {metrics.map((m) => (
              <MetricInput key={m.code} code={m.code} name={m.name} value={texts[m.code] ?? ''}
                previous={previous?.[m.code]} error={errors[`values.${m.code}`]}
                onInput={(v) => setTexts({ ...texts, [m.code]: v })} />
            ))}
          </div>
          <div class="field">
            <label for="report-note">
              {t('report.note')} {noteNeeded ? <span class="required">({t('report.note_required')})</span> : <span class="muted">({t('common.optional')})</span>}
            </label>
            <textarea id="report-note" rows={3} maxLength={2000} value={note} required={noteNeeded}
              aria-invalid={errors.note ? true : undefined}
              aria-describedby={errors.note ? 'report-note-error' : 'report-note-hint'}
              onInput={(e) => setNote(e.currentTarget.value)} />
            {errors.note ? (
              <p id="report-note-error" class="field-error">{errors.note}</p>
            ) : (
              <p id="report-note-hint" class="hint">{noteNeeded ? t('report.note_hint_down') : t('report.note_hint')}</p>
            )}
          </div>
        </fieldset>
      )}
      {Object.keys(errors).length > 0 && <p class="field-error" role="alert">{t('check.fix_marked')}</p>}
      <ErrorBox error={apiError} onRetry={apiError?.code === 'version_mismatch' ? reload : undefined} />
      {quality && !done && <QualityFindings warnings={quality.warnings} blocking={quality.blocking} />}
      {done && (
        <div class="success" role="status" tabIndex={-1} ref={confirmation}>
          <p class="success-title">{done.corrected ? t('report.corrected_title') : t('report.sent_title')}</p>
          <p>
            {t(done.corrected ? 'report.corrected' : 'report.sent', {
              unit: unit.name,
              week: formatWeek(period, lang),
              time: formatDateTime(done.corrected ? done.report.updated_at : done.report.received_at),
              v: done.report.version,
            })}{' '}
            <StatusBadge status={done.report.timeliness} />
          </p>
          <p>
            <Link href="/">{t('report.to_overview')}</Link> · <Link href={`/units/${encodeURIComponent(unit.code)}`}>{t('report.to_history')}</Link>
          </p>
        </div>
      )}
      {!readOnly && metrics.length > 0 && (
        <button type="submit" class="btn btn-primary btn-wide" disabled={busy}>
          {busy
            ? t('common.sending')
            : quality && quality.warnings.length > 0 && quality.blocking.length === 0
              ? t('quality.send_anyway')
              : report ? t('report.save_correction') : t('report.submit')}
        </button>
      )}
    </form>
  )
}

function QualityFindings({ warnings, blocking }: { warnings: Finding[]; blocking: Finding[] }) {
  return (
    <div class="notice notice-warn quality-findings" role="alert">
      <p>
        <strong>{blocking.length > 0 ? t('quality.blocked') : t('quality.check_warnings')}</strong>
      </p>
      <ul>
        {[...blocking, ...warnings].map((f, i) => (
          <li key={i}>{f.message}</li>
        ))}
      </ul>
      {blocking.length === 0 && <p class="small">{t('quality.send_anyway_hint')}</p>}
    </div>
  )
}

function focusFirstError(errors: FieldErrors) {
  const first = Object.keys(errors)[0]
  const id = first === 'note' ? 'report-note' : `metric-${first.replace('values.', '')}`
  setTimeout(() => document.getElementById(id)?.focus(), 0)
}

function MetricInput({ code, name, value, previous, error, onInput }: {
  code: string
  name: string
  value: string
  previous?: number
  error?: string
  onInput: (v: string) => void
}) {
  const id = `metric-${code}`
  const described = [previous !== undefined ? `${id}-prev` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ')
  return (
    <div class="field">
      <label for={id}>{name}</label>
      {/* No pattern: "1.234" and "1 234" are accepted; shown again as vi-VN on leaving. */}
      <input id={id} name={code} inputMode="numeric" autocomplete="off" required value={value}
        aria-invalid={error ? true : undefined} aria-describedby={described || undefined}
        onInput={(e) => onInput(e.currentTarget.value)}
        onBlur={(e) => {
          const n = parseCount(e.currentTarget.value)
          if (n !== null) onInput(formatNumber(n))
        }} />
      {previous !== undefined && (
        <p id={`${id}-prev`} class="hint">
          {t('report.last_week', { n: formatNumber(previous) })}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} class="field-error">
          {error}
        </p>
      )}
    </div>
  )
}
