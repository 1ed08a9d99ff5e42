import { useState } from 'preact/hooks'
import { api, call, type ApiError } from '../../api/client'
import { ErrorBox } from '../../components/ErrorBox'
import { Loading } from '../../components/Loading'
import { formatDateTime, formatWeek, isOverdue } from '../../format'
import { useApi } from '../../hooks'
import { getLang, t } from '../../i18n'

interface Props {
  campaign: string
  period: string
  under: string
  unitName: string
  /** The week's deadline: locking before it shuts out the units still to report. */
  due: Date
  onChange: () => void
}

/** Lock the week for the manager's subtree (no more writes), see the locks, unlock with a reason. */
export function Locks({ campaign, period, under, unitName, due, onChange }: Props) {
  const res = useApi(() => call(api.GET('/api/v1/locks', { params: { query: { campaign, period, limit: 500 } } })), [campaign, period])
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)
  const [message, setMessage] = useState<string | null>(null)
  const [confirming, setConfirming] = useState(false)
  const lang = getLang()
  const week = formatWeek(period, lang)
  const locks = res.data?.data ?? []
  const mine = locks.find((l) => l.unit === under)

  const run = async (unlock: boolean) => {
    if (unlock && !reason.trim()) {
      setError({ code: 'client', message: t('lock.reason_required'), field: 'reason', details: [] })
      return
    }
    setBusy(true)
    setError(null)
    setMessage(null)
    setConfirming(false)
    const why = reason.trim()
    const body = { campaign, period, unit: under, reason: why }
    const r = unlock
      ? await call(api.POST('/api/v1/locks/unlock', { body }))
      : await call(api.POST('/api/v1/locks', { body }))
    setBusy(false)
    if (r.error) return setError(r.error)
    setReason('')
    setMessage(t(unlock ? 'lock.unlocked' : 'lock.done', { week, unit: unitName }))
    res.reload()
    onChange()
  }

  return (
    <section class="card" aria-labelledby="locks-title">
      <h2 id="locks-title">{t('lock.title')}</h2>
      <p class="hint">{t('lock.explain')}</p>
      {res.loading && !res.data && <Loading />}
      {res.error ? (
        <ErrorBox error={res.error} onRetry={res.reload} />
      ) : (
        <>
          {locks.length > 0 && (
            <ul class="unit-list">
              {locks.map((l) => (
                <li key={`${l.unit}-${l.id ?? 'auto'}`}>
                  <span class="badge badge-neutral">{t('lock.locked')}</span>
                  <span>
                    {l.unit_name} · {l.automatic ? t('lock.automatic') : `${l.locked_by_name}, ${formatDateTime(l.locked_at)}`}
                    {l.reason && <span class="muted"> — {l.reason}</span>}
                  </span>
                </li>
              ))}
            </ul>
          )}
          <div class="field">
            <label for="lock-reason">
              {t('lock.reason')} <span class="muted">({mine ? t('lock.reason_unlock') : t('common.optional')})</span>
            </label>
            <input id="lock-reason" value={reason} maxLength={500} onInput={(e) => setReason(e.currentTarget.value)} />
          </div>
          {mine && <p class="notice notice-warn">{t('lock.is_locked', { week, unit: unitName })}</p>}
          {mine ? (
            <button type="button" class="btn" disabled={busy} onClick={() => run(true)}>
              {t('lock.unlock', { week })}
            </button>
          ) : confirming ? (
            <div class="notice notice-warn" role="alertdialog" aria-labelledby="lock-confirm-title" aria-describedby="lock-confirm-text">
              <p id="lock-confirm-title" class="success-title">
                {t('lock.confirm_title')}
              </p>
              <p id="lock-confirm-text">
                {t('lock.confirm_text', { week, unit: unitName })}
                {!isOverdue(due) && <> {t('lock.confirm_early', { time: formatDateTime(due) })}</>}
              </p>
              <div class="toolbar">
                <button type="button" class="btn btn-primary" disabled={busy} onClick={() => run(false)}>
                  {t('lock.confirm')}
                </button>
                <button type="button" class="btn" onClick={() => setConfirming(false)}>
                  {t('common.cancel')}
                </button>
              </div>
            </div>
          ) : (
            <button type="button" class="btn btn-primary" disabled={busy} onClick={() => setConfirming(true)}>
              {t('lock.lock', { week })}
            </button>
          )}
        </>
      )}
      <ErrorBox error={error} />
      {message && (
        <p class="success" role="status">
          {message}
        </p>
      )}
    </section>
  )
}
