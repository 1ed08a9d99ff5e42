import { useState } from 'preact/hooks'
import { api, call, type ApiError } from '../../api/client'
import type { MetricPublic } from '../../api/types'
import { ErrorBox } from '../../components/ErrorBox'
import { Loading } from '../../components/Loading'
import { StatusBadge } from '../../components/StatusBadge'
import { formatDateTime, formatNumber } from '../../format'
import { useApi } from '../../hooks'
import { t } from '../../i18n'
import { Link } from '../../router'

const FIRST = 8

interface Props {
  campaign: string
  metrics: MetricPublic[]
  period: string
  under: string
  version: number
  onChange: () => void
}

/** Reports of the week waiting for review: approve, or return with a reason. */
export function Review({ campaign, metrics, period, under, version, onChange }: Props) {
  const names = Object.fromEntries(metrics.map((m) => [m.code, m.name]))
  const res = useApi(
    () => call(api.GET('/api/v1/reports', { params: { query: { campaign, period, under, status: 'submitted', limit: 200 } } })),
    [campaign, period, under, version],
  )
  const [all, setAll] = useState(false)
  // Kept here: the reviewed report leaves the list when it reloads, its buttons with it.
  const [notice, setNotice] = useState<string | null>(null)
  const done = (message: string) => {
    setNotice(message)
    onChange()
  }
  const rows = res.data?.data ?? []
  const shown = all ? rows : rows.slice(0, FIRST)
  return (
    <section class="card" aria-labelledby="review-title">
      <h2 id="review-title">
        {t('review.title')} {res.data && <span class="muted small">({formatNumber(res.data.count)})</span>}
      </h2>
      {res.loading && !res.data && <Loading />}
      <ErrorBox error={res.error} onRetry={res.reload} />
      {notice && (
        <p class="success" role="status">
          {notice}
        </p>
      )}
      {res.data && rows.length === 0 && <p class="muted">{t('review.empty')}</p>}
      {rows.length > 1 && <ApproveAll campaign={campaign} period={period} under={under} n={res.data?.count ?? rows.length} onDone={done} />}
      <ul class="review-list">
        {shown.map((r) => (
          <li key={r.id}>
            <div class="review-head">
              <Link href={`/units/${encodeURIComponent(r.unit)}`}>{r.unit_name}</Link>
              <StatusBadge status={r.timeliness} />
              <span class="muted small">
                {formatDateTime(r.received_at)} · {r.sender_name}
              </span>
            </div>
            <p class="small values-line">
              {Object.entries(r.values)
                .map(([k, v]) => `${names[k] ?? k}: ${formatNumber(v)}`)
                .join(' · ')}
              {r.note && <span class="muted"> — “{r.note}”</span>}
            </p>
            <ReviewButtons reportId={r.id} unitName={r.unit_name} onDone={done} />
          </li>
        ))}
      </ul>
      {rows.length > FIRST && (
        <button type="button" class="btn" aria-expanded={all} onClick={() => setAll(!all)}>
          {all ? t('common.show_less') : t('common.show_all', { n: rows.length })}
        </button>
      )}
    </section>
  )
}

function ReviewButtons({ reportId, unitName, onDone }: { reportId: number; unitName: string; onDone: (message: string) => void }) {
  const [returning, setReturning] = useState(false)
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)
  const act = async (kind: 'approve' | 'return') => {
    if (kind === 'return' && !reason.trim()) {
      setError({ code: 'client', message: t('review.reason_required'), field: 'reason', details: [] })
      return
    }
    setBusy(true)
    setError(null)
    const path = { report_id: reportId }
    const r =
      kind === 'approve'
        ? await call(api.POST('/api/v1/reports/{report_id}/approve', { params: { path } }))
        : await call(api.POST('/api/v1/reports/{report_id}/return', { params: { path }, body: { reason: reason.trim() } }))
    setBusy(false)
    if (r.error) return setError(r.error)
    onDone(t(kind === 'approve' ? 'review.approved' : 'review.returned', { unit: unitName }))
  }
  const id = `return-reason-${reportId}`
  return (
    <div class="review-actions">
      <button type="button" class="btn btn-ok" disabled={busy} onClick={() => act('approve')} aria-label={t('review.approve_unit', { unit: unitName })}>
        {t('review.approve')}
      </button>
      {returning ? (
        <div class="inline-form">
          <label for={id}>{t('review.reason')}</label>
          <input id={id} value={reason} maxLength={500} onInput={(e) => setReason(e.currentTarget.value)} />
          <button type="button" class="btn" disabled={busy} onClick={() => act('return')}>
            {t('review.return_send')}
          </button>
        </div>
      ) : (
        <button type="button" class="btn" onClick={() => setReturning(true)} aria-label={t('review.return_unit', { unit: unitName })}>
          {t('review.return')}
        </button>
      )}
      <ErrorBox error={error} />
    </div>
  )
}

/** One click for the whole week: the server approves what it can and says what it skipped. */
function ApproveAll({ campaign, period, under, n, onDone }: { campaign: string; period: string; under: string; n: number; onDone: (message: string) => void }) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)
  const run = async () => {
    setBusy(true)
    setError(null)
    const r = await call(api.POST('/api/v1/reports/approve', { body: { campaign, period, unit: under } }))
    setBusy(false)
    if (r.error) return setError(r.error)
    // Reports already approved or returned are not news here: only the ones that were waiting.
    const skipped = r.data.skipped.filter((x) => x.code !== 'report_approved' && x.code !== 'report_returned')
    const parts = [t('review.approved_all', { n: formatNumber(r.data.approved.length) })]
    if (skipped.length > 0) {
      parts.push(t('review.skipped', { n: formatNumber(skipped.length) }))
      parts.push(skipped.map((x) => `${x.unit_name ?? `#${x.id}`}: ${x.reason}`).join('; '))
    }
    onDone(parts.join(' '))
  }
  return (
    <div class="approve-all">
      <button type="button" class="btn btn-ok" disabled={busy} onClick={run}>
        {busy ? t('common.sending') : t('review.approve_all', { n: formatNumber(n) })}
      </button>
      <ErrorBox error={error} />
    </div>
  )
}
