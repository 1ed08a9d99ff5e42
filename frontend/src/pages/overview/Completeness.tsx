import { useState } from 'preact/hooks'
import { api, call, type ApiError } from '../../api/client'
import type { Completeness as Data, CompletenessUnit, ReminderQueued } from '../../api/types'
import { ErrorBox } from '../../components/ErrorBox'
import { Loading } from '../../components/Loading'
import { StatusBadge } from '../../components/StatusBadge'
import { countdownText, formatDateTime, formatFraction, formatNumber, formatWeek } from '../../format'
import { useApi } from '../../hooks'
import { getLang, t } from '../../i18n'
import { Link } from '../../router'

interface Props {
  campaign: string
  period: string
  under?: string | null
  /** Managers may send reminders to the missing units. */
  canRemind?: boolean
  /** Bumped by the parent to reload after its own changes (locks, reviews). */
  version?: number
}

/** This week's reporting: on time / late / missing, the missing listed, reminders. */
export function Completeness({ campaign, period, under, canRemind, version = 0 }: Props) {
  const res = useApi(
    () => call(api.GET('/api/v1/completeness', { params: { query: { campaign, period, under } } })),
    [campaign, period, under, version],
  )
  const lang = getLang()
  return (
    <section class="card completeness" aria-labelledby="completeness-title">
      <h2 id="completeness-title">
        {t('completeness.title')} <span class="muted small">{formatWeek(period, lang)}</span>
      </h2>
      {res.loading && !res.data && <Loading />}
      <ErrorBox error={res.error} onRetry={res.reload} />
      {res.data && <Body data={res.data} canRemind={canRemind} />}
    </section>
  )
}

function Body({ data, canRemind }: { data: Data; canRemind?: boolean }) {
  const lang = getLang()
  const by = (s: string) => data.units.filter((u) => u.status === s)
  const missing = by('missing')
  const pending = by('pending')
  const late = by('late')
  return (
    <>
      <p>
        {t('deadline.weekly')}: <strong>{formatDateTime(data.due_at)}</strong> ({countdownText(data.due_at, new Date(), lang)})
        {data.locked && (
          <>
            {' · '}
            <span class="badge badge-neutral">{t('lock.locked')}</span>
          </>
        )}
      </p>
      <ul class="stats" aria-label={t('completeness.summary')}>
        <Stat status="on_time" n={data.on_time} />
        <Stat status="late" n={data.late} />
        {/* One definition: "not reported" counts every unit without a report, the ones whose
            deadline has not come yet included; the list below counts the same units. */}
        <li class="stat stat-missing">
          <span class="stat-n">{formatNumber(data.missing)}</span>
          <StatusBadge status="missing" />
          {data.pending > 0 && <span class="stat-label">{t('completeness.of_which_pending', { n: formatNumber(data.pending) })}</span>}
        </li>
        <li class="stat">
          <span class="stat-n">{formatFraction(data.reporting_rate)}</span>
          <span class="stat-label">{t('completeness.rate', { n: formatNumber(data.expected) })}</span>
        </li>
      </ul>
      {canRemind && (missing.length > 0 || pending.length > 0) && <Remind campaign={data.campaign} period={data.period} under={data.under.code} />}
      <UnitList title={t('completeness.missing_list', { n: data.missing })} units={[...missing, ...pending]} />
      <UnitList title={t('completeness.late_list', { n: late.length })} units={late} />
    </>
  )
}

function Stat({ status, n }: { status: string; n: number }) {
  return (
    <li class={`stat stat-${status}`}>
      <span class="stat-n">{formatNumber(n)}</span>
      <StatusBadge status={status} />
    </li>
  )
}

function UnitList({ title, units }: { title: string; units: CompletenessUnit[] }) {
  if (units.length === 0) return null
  const list = (
    <ul class="unit-list">
      {units.map((u) => (
        <li key={u.unit_id}>
          <span class="unit-list-name">
            <Link href={`/units/${encodeURIComponent(u.unit)}`}>{u.unit_name}</Link>
            {u.received_at && <span class="muted small"> · {formatDateTime(u.received_at)}</span>}
          </span>
          <StatusBadge status={u.status} />
          {u.report_status && u.report_status !== 'submitted' && <StatusBadge status={u.report_status} />}
        </li>
      ))}
    </ul>
  )
  return (
    <details class="unit-group" open>
      <summary>{title}</summary>
      {list}
    </details>
  )
}

function Remind({ campaign, period, under }: { campaign: string; period: string; under: string }) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)
  const [result, setResult] = useState<ReminderQueued | null>(null)
  const send = async () => {
    setBusy(true)
    setError(null)
    const r = await call(api.POST('/api/v1/reminders', { body: { campaign, period, under } }))
    setBusy(false)
    if (r.error) setError(r.error)
    else setResult(r.data)
  }
  return (
    <div class="remind">
      <button type="button" class="btn" onClick={send} disabled={busy}>
        {busy ? t('common.sending') : t('completeness.remind')}
      </button>
      <ErrorBox error={error} />
      {result && (
        <p class="success" role="status">
          {result.queued.length === 0
            ? t('completeness.remind_none', { n: result.missing, a: result.already })
            : t('completeness.remind_done', { n: result.missing, q: result.queued.length, a: result.already })}
        </p>
      )}
    </div>
  )
}
