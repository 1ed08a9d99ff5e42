// Admin: the webhooks reminders go through, each campaign's schedule, and a test message on any
// channel. Secrets are written, never shown again.
import { useEffect, useState } from 'preact/hooks'
import { api, call, type ApiError } from '../../api/client'
import type { CampaignPublic, ScheduleEntry, TestResult, WebhookPublic } from '../../api/types'
import { useAuth } from '../../auth'
import { CampaignPicker, WithCampaign } from '../../campaign'
import { ErrorBox } from '../../components/ErrorBox'
import { Field } from '../../components/Field'
import { Loading } from '../../components/Loading'
import { useApi } from '../../hooks'
import { t, type MessageKey } from '../../i18n'
import { grantsWith } from '../../roles'
import { channelName } from '../UnitReminders'

export function Reminders() {
  const [version, setVersion] = useState(0)
  const hooks = useApi(() => call(api.GET('/api/v1/webhooks', { params: { query: { limit: 500 } } })), [version])
  return (
    <>
      <CampaignPicker />
      <WithCampaign>{(c) => <Schedule campaign={c} />}</WithCampaign>
      <section class="card" aria-labelledby="webhooks-title">
        <h2 id="webhooks-title">{t('webhooks.title')}</h2>
        {hooks.loading && !hooks.data && <Loading />}
        <ErrorBox error={hooks.error} onRetry={hooks.reload} />
        {hooks.data && hooks.data.count === 0 && <p class="muted">{t('webhooks.empty')}</p>}
        <ul class="user-list">
          {(hooks.data?.data ?? []).map((h) => (
            <WebhookRow key={h.id} hook={h} onChange={() => setVersion((v) => v + 1)} />
          ))}
        </ul>
      </section>
      <CreateWebhook onCreated={() => setVersion((v) => v + 1)} />
      <TestMessage hooks={hooks.data?.data ?? []} />
    </>
  )
}

function WebhookRow({ hook, onChange }: { hook: WebhookPublic; onChange: () => void }) {
  const [error, setError] = useState<ApiError | null>(null)
  const remove = async () => {
    if (!window.confirm(t('webhooks.confirm_delete', { name: hook.name }))) return
    const r = await call(api.DELETE('/api/v1/webhooks/{webhook_id}', { params: { path: { webhook_id: hook.id } } }))
    if (r.error) setError(r.error)
    else onChange()
  }
  return (
    <li class="user-row">
      <div>
        <strong>{hook.name}</strong> · {hook.unit_name}
        <br />
        <span class="small break">
          {hook.url}
          {hook.has_secret && ` · ${t('webhooks.signed')}`}
          {!hook.active && ` · ${t('webhooks.inactive')}`}
        </span>
      </div>
      <button type="button" class="btn btn-small" onClick={remove} aria-label={t('webhooks.delete_named', { name: hook.name })}>
        {t('webhooks.delete')}
      </button>
      <ErrorBox error={error} />
    </li>
  )
}

function CreateWebhook({ onCreated }: { onCreated: () => void }) {
  const { user } = useAuth()
  const [name, setName] = useState('')
  const [url, setUrl] = useState('')
  const [unit, setUnit] = useState(grantsWith(user, 'admin')[0]?.unit ?? '')
  const [secret, setSecret] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)
  const [done, setDone] = useState<string | null>(null)
  const fieldError = (f: string) => (error?.field === f ? error.message : null)
  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    setDone(null)
    const r = await call(api.POST('/api/v1/webhooks', { body: { name, url, unit, active: true, ...(secret ? { secret } : {}) } }))
    setBusy(false)
    if (r.error) return setError(r.error)
    setDone(r.data.name)
    setName('')
    setUrl('')
    setSecret('')
    onCreated()
  }
  return (
    <form class="card" onSubmit={submit} aria-labelledby="new-webhook-title">
      <h2 id="new-webhook-title">{t('webhooks.new')}</h2>
      <Field id="webhook-name" label={t('webhooks.name')} required value={name} error={fieldError('name')} onInput={(e) => setName(e.currentTarget.value)} />
      <Field id="webhook-url" label={t('webhooks.url')} type="url" required value={url} error={fieldError('url')} onInput={(e) => setUrl(e.currentTarget.value)} />
      <Field id="webhook-unit" label={t('webhooks.unit')} required value={unit} error={fieldError('unit')} onInput={(e) => setUnit(e.currentTarget.value.trim())} />
      <Field id="webhook-secret" label={t('webhooks.secret')} type="password" autoComplete="new-password" value={secret} hint={t('webhooks.secret_hint')}
        error={fieldError('secret')} onInput={(e) => setSecret(e.currentTarget.value)} />
      <ErrorBox error={error && !['name', 'url', 'unit', 'secret'].includes(error.field ?? '') ? error : null} />
      {done && <p class="success" role="status">{t('webhooks.created', { name: done })}</p>}
      <button type="submit" class="btn btn-primary" disabled={busy}>
        {t('webhooks.new')}
      </button>
    </form>
  )
}

const KINDS: ScheduleEntry['kind'][] = ['due_soon', 'last_hours', 'late', 'digest']
type Line = { weekday: number; at: string; kind: ScheduleEntry['kind'] }

function Schedule({ campaign }: { campaign: CampaignPublic }) {
  const res = useApi(() => call(api.GET('/api/v1/campaigns/{campaign}/reminder-schedule', { params: { path: { campaign: campaign.code } } })), [campaign.code])
  const [lines, setLines] = useState<Line[]>([])
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)
  const [saved, setSaved] = useState(false)
  useEffect(() => {
    setLines((res.data?.entries ?? []).map((e) => ({ weekday: e.weekday, at: e.at.slice(0, 5), kind: e.kind })))
    setSaved(false)
  }, [res.data])
  const set = (i: number, change: Partial<Line>) => setLines(lines.map((l, j) => (i === j ? { ...l, ...change } : l)))
  const save = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    setSaved(false)
    const r = await call(api.PUT('/api/v1/campaigns/{campaign}/reminder-schedule', { params: { path: { campaign: campaign.code } }, body: { entries: lines } }))
    setBusy(false)
    if (r.error) return setError(r.error)
    setLines(r.data.entries.map((x) => ({ weekday: x.weekday, at: x.at.slice(0, 5), kind: x.kind })))
    setSaved(true)
  }
  if (res.error) return <ErrorBox error={res.error} onRetry={res.reload} />
  if (!res.data) return <Loading />
  return (
    <form class="card" onSubmit={save} aria-labelledby="schedule-title">
      <h2 id="schedule-title">{t('schedule.title')}</h2>
      <p class="muted">
        {res.data.is_default && !saved && `${t('schedule.default')} `}
        {t('schedule.hint')}
      </p>
      <table class="table" aria-label={t('schedule.table')}>
        <thead>
          <tr>
            <th scope="col">{t('schedule.weekday')}</th>
            <th scope="col">{t('schedule.time')}</th>
            <th scope="col">{t('schedule.kind')}</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {lines.map((l, i) => (
            <tr key={i}>
              <td>
                <select aria-label={`${t('schedule.weekday')} ${i + 1}`} value={String(l.weekday)} onChange={(e) => set(i, { weekday: Number(e.currentTarget.value) })}>
                  {[1, 2, 3, 4, 5, 6, 7].map((d) => (
                    <option key={d} value={String(d)}>
                      {t(`weekday.${d}` as MessageKey)}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <input aria-label={`${t('schedule.time')} ${i + 1}`} type="time" required value={l.at} onInput={(e) => set(i, { at: e.currentTarget.value })} />
              </td>
              <td>
                <select aria-label={`${t('schedule.kind')} ${i + 1}`} value={l.kind} onChange={(e) => set(i, { kind: e.currentTarget.value as Line['kind'] })}>
                  {KINDS.map((k) => (
                    <option key={k} value={k}>
                      {t(`reminders.kind.${k}` as MessageKey)}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <button type="button" class="btn btn-small" onClick={() => setLines(lines.filter((_, j) => j !== i))}>
                  {t('schedule.remove')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" class="btn btn-small" onClick={() => setLines([...lines, { weekday: 4, at: '09:00', kind: 'due_soon' }])}>
        {t('schedule.add')}
      </button>
      <ErrorBox error={error} />
      {saved && <p class="success" role="status">{t('schedule.saved')}</p>}
      <button type="submit" class="btn btn-primary" disabled={busy || lines.length === 0}>
        {busy ? t('common.saving') : t('schedule.save')}
      </button>
    </form>
  )
}

function TestMessage({ hooks }: { hooks: WebhookPublic[] }) {
  const [channel, setChannel] = useState<'email' | 'zalo' | 'sms' | 'webhook'>('email')
  const [to, setTo] = useState('')
  const [hook, setHook] = useState<number | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)
  const [result, setResult] = useState<TestResult | null>(null)
  const send = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    setResult(null)
    const body = channel === 'webhook' ? { channel, webhook_id: hook ?? hooks[0]?.id } : { channel, to: to || null }
    const r = await call(api.POST('/api/v1/reminders/test', { body }))
    setBusy(false)
    if (r.error) setError(r.error)
    else setResult(r.data)
  }
  return (
    <form class="card" onSubmit={send} aria-labelledby="test-title">
      <h2 id="test-title">{t('testmsg.title')}</h2>
      <div class="field">
        <label for="test-channel">{t('testmsg.channel')}</label>
        <select id="test-channel" value={channel} onChange={(e) => setChannel(e.currentTarget.value as typeof channel)}>
          {(['email', 'zalo', 'sms', 'webhook'] as const).map((c) => (
            <option key={c} value={c}>
              {channelName(c)}
            </option>
          ))}
        </select>
      </div>
      {channel === 'webhook' ? (
        <div class="field">
          <label for="test-webhook">{t('testmsg.webhook')}</label>
          <select id="test-webhook" value={String(hook ?? hooks[0]?.id ?? '')} onChange={(e) => setHook(Number(e.currentTarget.value))}>
            {hooks.map((h) => (
              <option key={h.id} value={String(h.id)}>
                {h.name}
              </option>
            ))}
          </select>
        </div>
      ) : (
        <Field id="test-to" label={t('testmsg.to')} hint={t('testmsg.to_hint')} value={to} error={error?.field === 'to' ? error.message : null}
          onInput={(e) => setTo(e.currentTarget.value)} />
      )}
      <ErrorBox error={error && error.field !== 'to' ? error : null} />
      {result && (
        <p class={result.delivered ? 'success' : 'notice'} role="status">
          {result.delivered ? t('testmsg.ok', { to: result.recipient }) : t('testmsg.failed', { to: result.recipient, error: result.error ?? '' })}
        </p>
      )}
      <button type="submit" class="btn" disabled={busy}>
        {busy ? t('common.sending') : t('testmsg.send')}
      </button>
    </form>
  )
}
