import { useState } from 'preact/hooks'
import { api, call, type ApiError } from '../../api/client'
import type { Completeness as Data, CompletenessUnit, ReminderQueued } from '../../api/types'
import { ErrorBox } from '../../components/ErrorBox'
import { Loading } from '../../components/Loading'
import { StatusBadge } from '../../components/StatusBadge'
import { countdownText, formatDateTime, formatFraction, formatNumber, formatWeek } from '../../format'
import { useApi } from '../../hooks'
import { getLang, t } from '../../i18n'
import type { MessageKey } from '../../messages/vi'
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

type Show = 'unsent' | 'late' | 'on_time' | 'all'
type Status = CompletenessUnit['status']
const SHOWN: Record<Show, Status[] | undefined> = {
  unsent: ['missing', 'pending'],
  late: ['late'],
  on_time: ['on_time'],
  all: undefined,
}
const KINDS = ['commune', 'agency', 'public_service', 'school', 'party', 'mass_org', 'village'] as const
type Kind = (typeof KINDS)[number]
const PAGE = 50

/** This week's reporting: the subtree's counts, then its units a page at a time in chasing
 *  order (not sent first, then late), filtered by state and kind; reminders for managers. */
export function Completeness({ campaign, period, under, canRemind, version = 0 }: Props) {
  const [show, setShow] = useState<Show>('unsent')
  const [kind, setKind] = useState<Kind | ''>('')
  const query = { campaign, period, under, status: SHOWN[show], kind: kind || undefined, limit: PAGE }
  const res = useApi(
    () => call(api.GET('/api/v1/completeness', { params: { query } })),
    [campaign, period, under, version, show, kind],
  )
  const lang = getLang()
  return (
    <section class="card completeness" aria-labelledby="completeness-title">
      <h2 id="completeness-title">
        {t('completeness.title')} <span class="muted small">{formatWeek(period, lang)}</span>
      </h2>
      {res.loading && !res.data && <Loading />}
      <ErrorBox error={res.error} onRetry={res.reload} />
      {res.data && (
        <>
          <Summary data={res.data} canRemind={canRemind} />
          <div class="filters completeness-filters">
            <label>
              {t('completeness.show')}
              <select value={show} onChange={(e) => setShow((e.target as HTMLSelectElement).value as Show)}>
                {(Object.keys(SHOWN) as Show[]).map((s) => (
                  <option key={s} value={s}>
                    {t(`completeness.show.${s}` as MessageKey)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t('completeness.kind')}
              <select value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as Kind | '')}>
                <option value="">{t('completeness.kind.all')}</option>
                {KINDS.map((k) => (
                  <option key={k} value={k}>
                    {t(`kind.${k}` as MessageKey)}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {/* Keyed by the first page: new filters or a reload start the list afresh. */}
          <Units key={`${show}|${kind}|${version}|${res.data.as_of}`} first={res.data} query={query} show={show} />
        </>
      )}
    </section>
  )
}

function Summary({ data, canRemind }: { data: Data; canRemind?: boolean }) {
  const lang = getLang()
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
      {canRemind && data.missing > 0 && <Remind campaign={data.campaign} period={data.period} under={data.under.code} />}
    </>
  )
}

type Query = { campaign: string; period: string; under?: string | null; status?: Status[]; kind?: Kind; limit: number }

/** The first page, then "Xem thêm" appends the next one (offset = units shown). */
function Units({ first, query, show }: { first: Data; query: Query; show: Show }) {
  const [more, setMore] = useState<CompletenessUnit[]>([])
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)
  const units = [...first.data, ...more]
  const next = async () => {
    setBusy(true)
    setError(null)
    const r = await call(api.GET('/api/v1/completeness', { params: { query: { ...query, offset: units.length } } }))
    setBusy(false)
    if (r.error) setError(r.error)
    else setMore((m) => [...m, ...r.data.data])
  }
  const n = formatNumber(first.count)
  const title =
    show === 'unsent'
      ? t('completeness.missing_list', { n })
      : show === 'late'
        ? t('completeness.late_list', { n })
        : show === 'on_time'
          ? t('completeness.on_time_list', { n })
          : t('completeness.all_list', { n })
  return (
    <details class="unit-group" open>
      <summary>{title}</summary>
      {units.length === 0 ? (
        <p class="muted">{t('completeness.none')}</p>
      ) : (
        <ul class="unit-list">
          {units.map((u) => (
            <li key={u.unit_id}>
              <span class="unit-list-name">
                <Link href={`/units/${encodeURIComponent(u.unit)}`}>{u.unit_name}</Link>
                <span class="muted small"> · {t(`kind.${u.kind}` as MessageKey)}</span>
                {u.received_at && <span class="muted small"> · {formatDateTime(u.received_at)}</span>}
              </span>
              <StatusBadge status={u.status} />
              {u.report_status && u.report_status !== 'submitted' && <StatusBadge status={u.report_status} />}
            </li>
          ))}
        </ul>
      )}
      <ErrorBox error={error} onRetry={next} />
      {units.length < first.count && (
        <p class="pager">
          <span class="muted small">{t('completeness.shown', { n: formatNumber(units.length), total: n })}</span>{' '}
          <button type="button" class="btn" onClick={next} disabled={busy}>
            {busy ? t('common.loading') : t('completeness.more', { n: formatNumber(Math.min(PAGE, first.count - units.length)) })}
          </button>
        </p>
      )}
    </details>
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
