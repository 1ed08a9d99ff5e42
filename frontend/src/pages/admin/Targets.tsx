import { useState } from 'preact/hooks'
import { api, call, type ApiError } from '../../api/client'
import type { CampaignPublic, TargetPublic, UnitKind } from '../../api/types'
import { CampaignPicker, WithCampaign } from '../../campaign'
import { ErrorBox } from '../../components/ErrorBox'
import { Field } from '../../components/Field'
import { Loading } from '../../components/Loading'
import { formatDate, formatFraction, parseVnDate } from '../../format'
import { useApi } from '../../hooks'
import { t, type MessageKey } from '../../i18n'

export function Targets() {
  return (
    <>
      <CampaignPicker />
      <WithCampaign>{(c) => <CampaignTargets key={c.code} campaign={c} />}</WithCampaign>
    </>
  )
}

function CampaignTargets({ campaign }: { campaign: CampaignPublic }) {
  const [version, setVersion] = useState(0)
  const res = useApi(() => call(api.GET('/api/v1/targets', { params: { query: { campaign: campaign.code, limit: 500 } } })), [campaign.code, version])
  const reload = () => setVersion((v) => v + 1)
  return (
    <>
      <section class="card" aria-labelledby="targets-admin-title">
        <h2 id="targets-admin-title">{t('admin.targets')}</h2>
        {res.loading && !res.data && <Loading />}
        <ErrorBox error={res.error} onRetry={res.reload} />
        <ul class="user-list">
          {(res.data?.data ?? []).map((tg) => (
            <TargetRow key={tg.id} target={tg} campaign={campaign} onChange={reload} />
          ))}
        </ul>
      </section>
      <TargetForm campaign={campaign} onSaved={reload} />
    </>
  )
}

const metricName = (c: CampaignPublic, code: string) => c.metrics.find((m) => m.code === code)?.name ?? code

function TargetRow({ target, campaign, onChange }: { target: TargetPublic; campaign: CampaignPublic; onChange: () => void }) {
  const [editing, setEditing] = useState(false)
  return (
    <li class="user-row">
      <div>
        <strong>{target.name}</strong> <span class="muted">({target.code})</span>
        <br />
        <span class="small">
          {metricName(campaign, target.numerator)} / {metricName(campaign, target.denominator)} ≥ {formatFraction(target.goal_ratio, 0)} ·{' '}
          {t('deadline.district')} {formatDate(target.deadline)} · {t('deadline.city')} {formatDate(target.upstream_deadline)}
          {target.unit_kinds.length > 0 && ` · ${target.unit_kinds.map((k) => t(`kind.${k}` as MessageKey)).join(', ')}`}
        </span>
      </div>
      {editing ? (
        <TargetForm campaign={campaign} target={target} onSaved={() => { setEditing(false); onChange() }} onCancel={() => setEditing(false)} />
      ) : (
        <button type="button" class="btn btn-small" onClick={() => setEditing(true)} aria-label={t('targets.edit_named', { name: target.name })}>
          {t('targets.edit')}
        </button>
      )}
    </li>
  )
}

const KINDS: UnitKind[] = ['commune', 'agency', 'public_service', 'school', 'party', 'mass_org', 'village']

/** Create a target, or edit one (name, goal, deadlines, kinds). */
function TargetForm({ campaign, target, onSaved, onCancel }: { campaign: CampaignPublic; target?: TargetPublic; onSaved: () => void; onCancel?: () => void }) {
  const counts = campaign.metrics
  const [code, setCode] = useState('')
  const [name, setName] = useState(target?.name ?? '')
  const [num, setNum] = useState(target?.numerator ?? counts[1]?.code ?? '')
  const [den, setDen] = useState(target?.denominator ?? counts[0]?.code ?? '')
  const [goal, setGoal] = useState(String(Math.round((target?.goal_ratio ?? 1) * 100)))
  // Dates are typed dd/mm/yyyy whatever the browser's language (a date input would follow it).
  const [deadline, setDeadline] = useState(formatDate(target?.deadline ?? campaign.end_date))
  const [upstream, setUpstream] = useState(target?.upstream_deadline ? formatDate(target.upstream_deadline) : '')
  const [kinds, setKinds] = useState<string[]>(target?.unit_kinds ?? ['commune'])
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)
  const [saved, setSaved] = useState(false)
  const p = target ? `target-${target.id}` : 'target-new'
  const fieldError = (f: string) => (error?.field === f ? error.message : null)

  const submit = async (e: Event) => {
    e.preventDefault()
    setSaved(false)
    const due = parseVnDate(deadline)
    const up = upstream.trim() ? parseVnDate(upstream) : null
    const bad = !due ? 'deadline' : upstream.trim() && !up ? 'upstream_deadline' : !target && num === den ? 'denominator' : null
    if (bad) {
      const message = bad === 'denominator' ? t('targets.same_metrics') : t('check.date')
      return setError({ code: 'client', message, field: bad, details: [] })
    }
    setBusy(true)
    setError(null)
    const common = {
      name,
      goal_ratio: Math.min(100, Math.max(1, Number(goal) || 100)) / 100,
      deadline: due as string,
      upstream_deadline: up,
      unit_kinds: kinds as UnitKind[],
    }
    const r = target
      ? await call(api.PATCH('/api/v1/targets/{target_id}', { params: { path: { target_id: target.id } }, body: common }))
      : await call(api.POST('/api/v1/targets', { body: { ...common, campaign: campaign.code, code, numerator: num, denominator: den } }))
    setBusy(false)
    if (r.error) return setError(r.error)
    setSaved(true)
    onSaved()
  }
  const metricSelect = (id: string, label: string, value: string, set: (v: string) => void) => (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => set(e.currentTarget.value)}>
        {counts.map((m) => (
          <option key={m.code} value={m.code}>
            {m.name}
          </option>
        ))}
      </select>
    </div>
  )
  return (
    <form class={target ? 'inline-card' : 'card'} onSubmit={submit} aria-label={target ? t('targets.edit_named', { name: target.name }) : t('targets.new')}>
      {!target && <h2>{t('targets.new')}</h2>}
      {!target && <Field id={`${p}-code`} label={t('targets.code')} required pattern="[a-z][a-z0-9_]*" value={code} error={fieldError('code')} onInput={(e) => setCode(e.currentTarget.value)} />}
      <Field id={`${p}-name`} label={t('targets.name')} required value={name} error={fieldError('name')} onInput={(e) => setName(e.currentTarget.value)} />
      {!target && metricSelect(`${p}-num`, t('targets.numerator'), num, setNum)}
      {!target && metricSelect(`${p}-den`, t('targets.denominator'), den, setDen)}
      {fieldError('denominator') && <p class="field-error">{fieldError('denominator')}</p>}
      <Field id={`${p}-goal`} label={t('targets.goal')} type="number" min={1} max={100} required value={goal} error={fieldError('goal_ratio')} onInput={(e) => setGoal(e.currentTarget.value)} />
      <div class="row-fields">
        <Field id={`${p}-deadline`} label={t('deadline.district')} hint={t('common.date_format')} inputMode="numeric" required
          value={deadline} error={fieldError('deadline')} onInput={(e) => setDeadline(e.currentTarget.value)} />
        <Field id={`${p}-upstream`} label={t('deadline.city')} hint={t('common.date_format')} inputMode="numeric"
          value={upstream} error={fieldError('upstream_deadline')} onInput={(e) => setUpstream(e.currentTarget.value)} />
      </div>
      <fieldset class="checks">
        <legend>{t('targets.kinds')}</legend>
        {KINDS.map((k) => (
          <div class="check" key={k}>
            <input id={`${p}-kind-${k}`} type="checkbox" checked={kinds.includes(k)}
              onChange={() => setKinds(kinds.includes(k) ? kinds.filter((x) => x !== k) : [...kinds, k])} />
            <label for={`${p}-kind-${k}`}>{t(`kind.${k}` as MessageKey)}</label>
          </div>
        ))}
      </fieldset>
      <ErrorBox error={error && !['code', 'name', 'goal_ratio', 'deadline', 'upstream_deadline', 'denominator'].includes(error.field ?? '') ? error : null} />
      {saved && !target && <p class="success" role="status">{t('targets.saved')}</p>}
      <div class="row-actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {target ? t('common.save') : t('targets.create')}
        </button>
        {onCancel && (
          <button type="button" class="btn" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        )}
      </div>
    </form>
  )
}
