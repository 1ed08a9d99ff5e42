import { useState } from 'preact/hooks'
import { api, call, type ApiError } from '../../api/client'
import type { CampaignPublic, UnitKind } from '../../api/types'
import { useAuth } from '../../auth'
import { loadCampaigns } from '../../campaign'
import { ErrorBox } from '../../components/ErrorBox'
import { Field } from '../../components/Field'
import { Loading } from '../../components/Loading'
import { Page } from '../../components/Page'
import { UnitPicker } from '../../components/UnitPicker'
import { formatDate, parseVnDate } from '../../format'
import { useApi } from '../../hooks'
import { t, type MessageKey } from '../../i18n'
import { grantsWith } from '../../roles'

const vnDate = (iso: string) => formatDate(iso)
const badDate = (field: string): ApiError => ({ code: 'client', message: t('tree.bad_date'), field, details: [] })

/** Managers start the next campaign (from scratch or from an earlier one) and edit settings. */
export function CampaignsPage() {
  const [version, setVersion] = useState(0)
  const res = useApi(() => call(api.GET('/api/v1/campaigns', { params: { query: { limit: 500 } } })), [version])
  const [cloneFrom, setCloneFrom] = useState<string>('')
  const [editing, setEditing] = useState<string | null>(null)
  const refresh = () => {
    setVersion((v) => v + 1)
    void loadCampaigns()
  }
  const list = res.data?.data ?? []
  return (
    <Page title={t('camp.title')}>
      <section class="card" aria-labelledby="camp-list-title">
        <h2 id="camp-list-title">{t('camp.list')}</h2>
        {res.loading && !res.data && <Loading />}
        <ErrorBox error={res.error} onRetry={res.reload} />
        <ul class="user-list">
          {list.map((c) => (
            <li key={c.code} class="user-row">
              <div>
                <strong>{c.name}</strong> <span class="muted">({c.code})</span>
                <br />
                <span class="small">{t('camp.dates', { start: vnDate(c.start_date), end: vnDate(c.end_date) })}</span>
              </div>
              <div class="row-actions">
                <button type="button" class="btn btn-small" aria-label={t('camp.clone_of', { name: c.name })}
                  onClick={() => {
                    setCloneFrom(c.code)
                    document.getElementById('clone-title')?.scrollIntoView()
                  }}>
                  {t('camp.clone')}
                </button>
                <button type="button" class="btn btn-small" aria-label={t('camp.settings_of', { name: c.name })}
                  onClick={() => setEditing(editing === c.code ? null : c.code)}>
                  {t('camp.settings')}
                </button>
              </div>
              {editing === c.code && <Settings campaign={c} onSaved={refresh} onCancel={() => setEditing(null)} />}
            </li>
          ))}
        </ul>
      </section>
      {list.length > 0 && <CloneForm key={cloneFrom} list={list} source={cloneFrom || list[0].code} onDone={refresh} />}
      <NewCampaign onDone={refresh} />
    </Page>
  )
}

function CloneForm({ list, source: initial, onDone }: { list: CampaignPublic[]; source: string; onDone: () => void }) {
  const [source, setSource] = useState(initial)
  const [code, setCode] = useState('')
  const [name, setName] = useState('')
  const [start, setStart] = useState('')
  const [end, setEnd] = useState('')
  const [baselines, setBaselines] = useState(true)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)
  const [done, setDone] = useState<string | null>(null)
  const fieldError = (f: string) => (error?.field === f ? error.message : null)
  const submit = async (e: Event) => {
    e.preventDefault()
    setDone(null)
    const startOn = parseVnDate(start)
    const endOn = end.trim() ? parseVnDate(end) : null
    if (!startOn) return setError(badDate('start_date'))
    if (end.trim() && !endOn) return setError(badDate('end_date'))
    setBusy(true)
    setError(null)
    const r = await call(api.POST('/api/v1/campaigns/{campaign}/clone', {
      params: { path: { campaign: source } },
      body: { code: code.trim(), name, start_date: startOn, end_date: endOn, copy_baselines: baselines },
    }))
    setBusy(false)
    if (r.error) return setError(r.error)
    setDone(t('camp.cloned', { name: r.data.name, start: vnDate(r.data.start_date), end: vnDate(r.data.end_date) }))
    onDone()
  }
  return (
    <form class="card" onSubmit={submit} aria-labelledby="clone-title">
      <h2 id="clone-title">{t('camp.clone')}</h2>
      <p class="hint">{t('camp.clone_hint')}</p>
      <div class="field">
        <label for="clone-source">{t('camp.source')}</label>
        <select id="clone-source" value={source} onChange={(e) => setSource(e.currentTarget.value)}>
          {list.map((c) => (
            <option key={c.code} value={c.code}>
              {c.name} ({vnDate(c.start_date)} – {vnDate(c.end_date)})
            </option>
          ))}
        </select>
      </div>
      <Field id="clone-code" label={t('camp.code')} required hint={t('camp.code_hint')} value={code} error={fieldError('code')}
        onInput={(e) => setCode(e.currentTarget.value)} />
      <Field id="clone-name" label={t('camp.name')} required value={name} error={fieldError('name')} onInput={(e) => setName(e.currentTarget.value)} />
      <div class="row-fields">
        <Field id="clone-start" label={t('camp.start')} required inputMode="numeric" placeholder="dd/mm/yyyy" value={start}
          error={fieldError('start_date')} onInput={(e) => setStart(e.currentTarget.value)} />
        <Field id="clone-end" label={t('camp.end')} inputMode="numeric" placeholder="dd/mm/yyyy" hint={t('camp.end_hint')} value={end}
          error={fieldError('end_date')} onInput={(e) => setEnd(e.currentTarget.value)} />
      </div>
      <div class="check">
        <input id="clone-baselines" type="checkbox" checked={baselines} onChange={(e) => setBaselines(e.currentTarget.checked)} />
        <label for="clone-baselines">{t('camp.copy_baselines')}</label>
      </div>
      <ErrorBox error={error && !['code', 'name', 'start_date', 'end_date'].includes(error.field ?? '') ? error : null} />
      {done && (
        <p class="success" role="status">
          {done}
        </p>
      )}
      <button type="submit" class="btn btn-primary" disabled={busy}>
        {t('camp.clone')}
      </button>
    </form>
  )
}

/** "code; name; kind, kind" per line → metrics. */
function parseMetrics(text: string) {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [code, name, kinds] = l.split(';').map((p) => p.trim())
      return { code, name: name || code, is_baseline: false, unit_kinds: (kinds || 'commune').split(',').map((k) => k.trim()).filter(Boolean) as UnitKind[] }
    })
}

function NewCampaign({ onDone }: { onDone: () => void }) {
  const { user } = useAuth()
  const [code, setCode] = useState('')
  const [name, setName] = useState('')
  const [owner, setOwner] = useState(grantsWith(user, 'manager')[0]?.unit ?? '')
  const [start, setStart] = useState('')
  const [end, setEnd] = useState('')
  const [metrics, setMetrics] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)
  const [done, setDone] = useState<string | null>(null)
  const fieldError = (f: string) => (error?.field === f || error?.field?.startsWith(`${f}.`) ? error.message : null)
  const submit = async (e: Event) => {
    e.preventDefault()
    setDone(null)
    const startOn = parseVnDate(start)
    const endOn = parseVnDate(end)
    if (!startOn) return setError(badDate('start_date'))
    if (!endOn) return setError(badDate('end_date'))
    setBusy(true)
    setError(null)
    const r = await call(api.POST('/api/v1/campaigns', {
      body: {
        code: code.trim(), name, owner, start_date: startOn, end_date: endOn, metrics: parseMetrics(metrics),
        // The directive's rhythm (Thursday 15:00, locked a week later): changed under Settings.
        description: '', timezone: 'Asia/Ho_Chi_Minh', due_weekday: 4, due_time: '15:00', lock_after_days: 7,
        public_leaderboard: false,
      },
    }))
    setBusy(false)
    if (r.error) return setError(r.error)
    setDone(t('camp.created', { name: r.data.name }))
    onDone()
  }
  return (
    <form class="card" onSubmit={submit} aria-labelledby="new-camp-title">
      <h2 id="new-camp-title">{t('camp.new')}</h2>
      <Field id="new-camp-code" label={t('camp.code')} required hint={t('camp.code_hint')} value={code} error={fieldError('code')}
        onInput={(e) => setCode(e.currentTarget.value)} />
      <Field id="new-camp-name" label={t('camp.name')} required value={name} error={fieldError('name')} onInput={(e) => setName(e.currentTarget.value)} />
      <UnitPicker id="new-camp-owner" label={t('camp.owner')} required value={owner} onChange={setOwner} error={fieldError('owner')} />
      <div class="row-fields">
        <Field id="new-camp-start" label={t('camp.start')} required inputMode="numeric" placeholder="dd/mm/yyyy" value={start}
          error={fieldError('start_date')} onInput={(e) => setStart(e.currentTarget.value)} />
        <Field id="new-camp-end" label={t('camp.end')} required inputMode="numeric" placeholder="dd/mm/yyyy" value={end}
          error={fieldError('end_date')} onInput={(e) => setEnd(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="new-camp-metrics">{t('camp.metrics')}</label>
        <textarea id="new-camp-metrics" rows={4} value={metrics} aria-describedby="new-camp-metrics-hint"
          onInput={(e) => setMetrics(e.currentTarget.value)} />
        <p id="new-camp-metrics-hint" class="hint">{t('camp.metrics_hint')}</p>
        {fieldError('metrics') && <p class="field-error">{fieldError('metrics')}</p>}
      </div>
      <ErrorBox error={error && !['code', 'name', 'owner', 'start_date', 'end_date', 'metrics'].some((f) => fieldError(f)) ? error : null} />
      {done && (
        <p class="success" role="status">
          {done}
        </p>
      )}
      <button type="submit" class="btn btn-primary" disabled={busy}>
        {t('camp.new')}
      </button>
    </form>
  )
}

const REPORT_FIELDS = ['parent_body', 'issuing_body', 'number_pattern', 'place', 'signer_title', 'signer_name'] as const

function Settings({ campaign, onSaved, onCancel }: { campaign: CampaignPublic; onSaved: () => void; onCancel: () => void }) {
  const rs = campaign.report_settings
  const [name, setName] = useState(campaign.name)
  const [start, setStart] = useState(vnDate(campaign.start_date))
  const [end, setEnd] = useState(vnDate(campaign.end_date))
  const [weekday, setWeekday] = useState(campaign.due_weekday)
  const [time, setTime] = useState(campaign.due_time.slice(0, 5))
  const [lock, setLock] = useState(String(campaign.lock_after_days))
  const [report, setReport] = useState<Record<string, string>>(Object.fromEntries(REPORT_FIELDS.map((k) => [k, rs[k] ?? ''])))
  const [recipients, setRecipients] = useState((rs.recipients ?? []).join('\n'))
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)
  const [saved, setSaved] = useState(false)
  const id = `settings-${campaign.id}`
  const fieldError = (f: string) => (error?.field === f || error?.field?.startsWith(`${f}.`) ? error.message : null)
  const submit = async (e: Event) => {
    e.preventDefault()
    setSaved(false)
    const startOn = parseVnDate(start)
    const endOn = parseVnDate(end)
    if (!startOn) return setError(badDate('start_date'))
    if (!endOn) return setError(badDate('end_date'))
    setBusy(true)
    setError(null)
    const r = await call(api.PATCH('/api/v1/campaigns/{campaign}', {
      params: { path: { campaign: campaign.code } },
      body: {
        name, start_date: startOn, end_date: endOn, due_weekday: weekday, due_time: time,
        lock_after_days: Number.parseInt(lock, 10) || 0,
        report_settings: {
          parent_body: report.parent_body, issuing_body: report.issuing_body, number_pattern: report.number_pattern,
          place: report.place, signer_title: report.signer_title, signer_name: report.signer_name,
          recipients: recipients.split('\n').map((l) => l.trim()).filter(Boolean),
        },
      },
    }))
    setBusy(false)
    if (r.error) return setError(r.error)
    setSaved(true)
    onSaved()
  }
  return (
    <form class="inline-card" onSubmit={submit} aria-label={t('camp.settings_of', { name: campaign.name })}>
      <Field id={`${id}-name`} label={t('camp.name')} required value={name} error={fieldError('name')} onInput={(e) => setName(e.currentTarget.value)} />
      <div class="row-fields">
        <Field id={`${id}-start`} label={t('camp.start')} required value={start} error={fieldError('start_date')} onInput={(e) => setStart(e.currentTarget.value)} />
        <Field id={`${id}-end`} label={t('camp.end')} required value={end} error={fieldError('end_date')} onInput={(e) => setEnd(e.currentTarget.value)} />
      </div>
      <div class="row-fields">
        <div class="field">
          <label for={`${id}-weekday`}>{t('camp.due_weekday')}</label>
          <select id={`${id}-weekday`} value={weekday} onChange={(e) => setWeekday(Number(e.currentTarget.value))}>
            {[1, 2, 3, 4, 5, 6, 7].map((d) => (
              <option key={d} value={d}>
                {t(`weekday.${d}` as MessageKey)}
              </option>
            ))}
          </select>
        </div>
        <Field id={`${id}-time`} label={t('camp.due_time')} required pattern="[0-2][0-9]:[0-5][0-9]" value={time} error={fieldError('due_time')}
          onInput={(e) => setTime(e.currentTarget.value)} />
        <Field id={`${id}-lock`} label={t('camp.lock_after')} type="number" min={0} max={366} value={lock} error={fieldError('lock_after_days')}
          onInput={(e) => setLock(e.currentTarget.value)} />
      </div>
      <fieldset>
        <legend>{t('camp.report')}</legend>
        {REPORT_FIELDS.map((k) => (
          <Field key={k} id={`${id}-${k}`} label={t(`camp.${k}` as MessageKey)} value={report[k]} error={fieldError(`report_settings.${k}`)}
            onInput={(e) => setReport({ ...report, [k]: e.currentTarget.value })} />
        ))}
        <div class="field">
          <label for={`${id}-recipients`}>{t('camp.recipients')}</label>
          <textarea id={`${id}-recipients`} rows={4} value={recipients} onInput={(e) => setRecipients(e.currentTarget.value)} />
        </div>
      </fieldset>
      <ErrorBox error={error} />
      {saved && (
        <p class="success" role="status">
          {t('camp.saved')}
        </p>
      )}
      <div class="row-actions">
        <button type="submit" class="btn btn-primary btn-small" disabled={busy}>
          {t('common.save')}
        </button>
        <button type="button" class="btn btn-small" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  )
}
