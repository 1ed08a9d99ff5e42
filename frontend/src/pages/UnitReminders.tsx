// A unit's reminders, for managers: what was sent, when, by which channel, whether it arrived;
// and, for the unit's admins, which channels the unit is reminded by.
import { useEffect, useState } from 'preact/hooks'
import { api, call, type ApiError } from '../api/client'
import type { CampaignPublic, ReminderMessagePublic, UnitChannelsPublic, UnitPublic } from '../api/types'
import { ErrorBox } from '../components/ErrorBox'
import { Loading } from '../components/Loading'
import { formatDateTime, formatWeek } from '../format'
import { useApi } from '../hooks'
import { getLang, t, type MessageKey } from '../i18n'

const TONE: Record<ReminderMessagePublic['status'], string> = {
  queued: 'neutral',
  sending: 'info',
  delivered: 'ok',
  retry: 'warn',
  failed: 'bad',
}

export function channelName(channel: string): string {
  return t(`reminders.channel.${channel.startsWith('webhook:') ? 'webhook' : channel}` as MessageKey)
}

export function UnitReminders({ campaign, unit }: { campaign: CampaignPublic; unit: UnitPublic }) {
  const lang = getLang()
  const res = useApi(
    () => call(api.GET('/api/v1/reminders/messages', { params: { query: { campaign: campaign.code, unit: unit.code, limit: 200 } } })),
    [campaign.code, unit.code],
  )
  const rows = res.data?.data ?? []
  return (
    <section class="card" aria-labelledby="reminders-title">
      <h2 id="reminders-title">{t('reminders.title')}</h2>
      {res.loading && !res.data && <Loading />}
      <ErrorBox error={res.error} onRetry={res.reload} />
      {res.data && rows.length === 0 && <p class="muted">{t('reminders.empty')}</p>}
      {rows.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label={t('reminders.table')}>
          <table class="table">
            <thead>
              <tr>
                <th scope="col">{t('reminders.when')}</th>
                <th scope="col">{t('reminders.week')}</th>
                <th scope="col">{t('reminders.kind')}</th>
                <th scope="col">{t('reminders.channel')}</th>
                <th scope="col">{t('reminders.recipient')}</th>
                <th scope="col">{t('reminders.result')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((m) => (
                <tr key={m.id}>
                  <td class="nowrap">{formatDateTime(m.delivered_at ?? m.last_attempt_at ?? m.created_at)}</td>
                  <td class="nowrap">{formatWeek(m.period, lang)}</td>
                  <td>{t(`reminders.kind.${m.kind}` as MessageKey)}</td>
                  <td>{channelName(m.channel)}</td>
                  <td class="break">{m.recipient}</td>
                  <td>
                    <span class={`badge badge-${TONE[m.status]}`}>{t(`reminders.status.${m.status}` as MessageKey)}</span>
                    <br />
                    <span class="muted small">
                      {t('reminders.attempts', { n: m.attempts })}
                      {m.status === 'retry' && m.next_attempt_at && ` · ${t('reminders.next', { time: formatDateTime(m.next_attempt_at) })}`}
                      {m.last_error && ` · ${m.last_error}`}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}

const CHANNELS = ['email', 'zalo', 'sms'] as const

export function UnitChannels({ unit, canEdit }: { unit: UnitPublic; canEdit: boolean }) {
  const res = useApi(() => call(api.GET('/api/v1/units/{unit}/reminder-channels', { params: { path: { unit: unit.code } } })), [unit.code])
  const [value, setValue] = useState<UnitChannelsPublic | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)
  const [saved, setSaved] = useState(false)
  useEffect(() => setValue(res.data ?? null), [res.data])
  if (res.error) return <ErrorBox error={res.error} onRetry={res.reload} />
  if (!value) return null
  const save = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setSaved(false)
    setError(null)
    const r = await call(api.PUT('/api/v1/units/{unit}/reminder-channels', {
      params: { path: { unit: unit.code } },
      body: { email: value.email, zalo: value.zalo, sms: value.sms },
    }))
    setBusy(false)
    if (r.error) return setError(r.error)
    setValue(r.data)
    setSaved(true)
  }
  return (
    <form class="card" onSubmit={save} aria-labelledby="channels-title">
      <h2 id="channels-title">{t('reminders.channels_title')}</h2>
      <p class="muted">{t('reminders.channels_hint')}</p>
      <fieldset class="checks" disabled={!canEdit}>
        <legend>{t('reminders.channel')}</legend>
        {CHANNELS.map((c) => (
          <div class="check" key={c}>
            <input id={`channel-${c}`} type="checkbox" checked={value[c]} onChange={() => setValue({ ...value, [c]: !value[c] })} />
            <label for={`channel-${c}`}>
              {channelName(c)} {!value.configured.includes(c) && <span class="muted small">{t('reminders.not_configured')}</span>}
            </label>
          </div>
        ))}
      </fieldset>
      <ErrorBox error={error} />
      {saved && <p class="success" role="status">{t('reminders.channels_saved')}</p>}
      {canEdit && (
        <button type="submit" class="btn" disabled={busy}>
          {busy ? t('common.saving') : t('common.save')}
        </button>
      )}
    </form>
  )
}
