import { useState } from 'preact/hooks'
import { api, call, type ApiError } from '../../api/client'
import type { CampaignPublic } from '../../api/types'
import type { components } from '../../api/schema'
import { ErrorBox } from '../../components/ErrorBox'
import { Loading } from '../../components/Loading'
import { useApi } from '../../hooks'
import { t, type MessageKey } from '../../i18n'

type RuleIn = components['schemas']['QualityRuleIn']
type Rule = components['schemas']['QualityRulePublic']

const OPS: Record<string, string> = { le: '≤', lt: '<', ge: '≥', gt: '>' }

/** A rule read as a sentence: "staff_total thay đổi % ≤ 10". */
export function ruleText(r: Rule | RuleIn): string {
  const left = `${r.metric}${r.measure === 'change' ? ' ' + t('quality.measure.change') : r.measure === 'change_pct' ? ' ' + t('quality.measure.change_pct') : ''}`
  const right = r.right === 'metric' ? `${r.factor !== 1 ? `${r.factor} × ` : ''}${r.right_metric}` : String(r.constant)
  return `${left} ${OPS[r.op ?? 'le']} ${right}`
}

/** The campaign's data-quality rules: managers add, switch between warning and blocking, delete. */
export function Rules({ campaign }: { campaign: CampaignPublic }) {
  const [version, setVersion] = useState(0)
  const [error, setError] = useState<ApiError | null>(null)
  const res = useApi(
    () => call(api.GET('/api/v1/campaigns/{campaign}/quality-rules', { params: { path: { campaign: campaign.code }, query: { limit: 500 } } })),
    [campaign.code, version],
  )
  const reload = () => setVersion((v) => v + 1)
  const path = (id: number) => ({ params: { path: { campaign: campaign.code, rule_id: id } } })
  const toggle = async (r: Rule) => {
    const { id: _id, campaign: _c, updated_at: _u, ...body } = r
    const x = await call(api.PUT('/api/v1/campaigns/{campaign}/quality-rules/{rule_id}', {
      ...path(r.id), body: { ...body, severity: r.severity === 'blocking' ? 'warning' : 'blocking' } as RuleIn,
    }))
    if (x.error) setError(x.error)
    else reload()
  }
  const remove = async (r: Rule) => {
    const x = await call(api.DELETE('/api/v1/campaigns/{campaign}/quality-rules/{rule_id}', path(r.id)))
    if (x.error) setError(x.error)
    else reload()
  }
  return (
    <section class="card" aria-labelledby="quality-rules-title">
      <h2 id="quality-rules-title">{t('quality.rules')}</h2>
      {res.loading && !res.data && <Loading />}
      <ErrorBox error={res.error ?? error} onRetry={res.reload} />
      <ul class="user-list">
        {(res.data?.data ?? []).map((r) => (
          <li key={r.id}>
            <strong>{r.message}</strong>{' '}
            <span class={r.severity === 'blocking' ? 'badge badge-bad' : 'badge badge-warn'}>{t(`quality.severity.${r.severity}` as MessageKey)}</span>
            <div class="small muted">
              {ruleText(r)}
              {r.unit_kinds.length > 0 && ` · ${r.unit_kinds.map((k) => t(`kind.${k}` as MessageKey)).join(', ')}`}
            </div>
            <button type="button" class="btn btn-small" onClick={() => toggle(r)}>
              {r.severity === 'blocking' ? t('quality.make_warning') : t('quality.make_blocking')}
            </button>{' '}
            <button type="button" class="btn btn-small" onClick={() => remove(r)}>
              {t('quality.delete_rule')}
            </button>
          </li>
        ))}
      </ul>
      <RuleForm campaign={campaign} onSaved={reload} />
    </section>
  )
}

function RuleForm({ campaign, onSaved }: { campaign: CampaignPublic; onSaved: () => void }) {
  const weekly = campaign.metrics.filter((m) => !m.is_baseline)
  const [rule, setRule] = useState<RuleIn>({
    // No number chosen for the user: "≤ 0" would have flagged every report of the metric.
    metric: weekly[0]?.code ?? '', measure: 'value', op: 'le', right: 'constant', constant: null, factor: 1,
    severity: 'warning', message: '', unit_kinds: [], active: true,
  })
  const [error, setError] = useState<ApiError | null>(null)
  const set = (patch: Partial<RuleIn>) => setRule({ ...rule, ...patch })
  const save = async (e: Event) => {
    e.preventDefault()
    const { constant, right_metric, ...rest } = rule
    const body: RuleIn = rule.right === 'metric'
      ? { ...rest, right_metric: right_metric ?? campaign.metrics[0]?.code }
      : { ...rest, constant }
    const r = await call(api.POST('/api/v1/campaigns/{campaign}/quality-rules', { params: { path: { campaign: campaign.code } }, body }))
    if (r.error) return setError(r.error)
    setError(null)
    set({ message: '' })
    onSaved()
  }
  return (
    <form class="quality-rule-form" onSubmit={save}>
      <h3>{t('quality.add_rule')}</h3>
      <label>
        {t('quality.metric')}{' '}
        <select value={rule.metric} onChange={(e) => set({ metric: e.currentTarget.value })}>
          {weekly.map((m) => <option key={m.code} value={m.code}>{m.name}</option>)}
        </select>
      </label>{' '}
      <select aria-label={t('quality.measure')} value={rule.measure} onChange={(e) => set({ measure: e.currentTarget.value as RuleIn['measure'] })}>
        <option value="value">{t('quality.measure.value')}</option>
        <option value="change">{t('quality.measure.change')}</option>
        <option value="change_pct">{t('quality.measure.change_pct')}</option>
      </select>{' '}
      <select aria-label={t('quality.op')} value={rule.op} onChange={(e) => set({ op: e.currentTarget.value as RuleIn['op'] })}>
        {Object.entries(OPS).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
      </select>{' '}
      <input aria-label={t('quality.factor')} type="number" step="any" min="0" required
        value={rule.right === 'metric' ? rule.factor : (rule.constant ?? '')}
        onInput={(e) => {
          const text = e.currentTarget.value
          set(rule.right === 'metric' ? { factor: Number(text) } : { constant: text === '' ? null : Number(text) })
        }} />{' '}
      <select aria-label={t('quality.right')} value={rule.right === 'metric' ? rule.right_metric ?? '' : ''}
        onChange={(e) => set(e.currentTarget.value ? { right: 'metric', right_metric: e.currentTarget.value, factor: 1 } : { right: 'constant', constant: null })}>
        <option value="">{t('quality.constant')}</option>
        {campaign.metrics.map((m) => <option key={m.code} value={m.code}>× {m.name}</option>)}
      </select>{' '}
      <select aria-label={t('quality.severity')} value={rule.severity} onChange={(e) => set({ severity: e.currentTarget.value as RuleIn['severity'] })}>
        <option value="warning">{t('quality.severity.warning')}</option>
        <option value="blocking">{t('quality.severity.blocking')}</option>
      </select>
      <label class="field">
        {t('quality.message')}
        <input value={rule.message} maxLength={500} required onInput={(e) => set({ message: e.currentTarget.value })} />
      </label>
      <ErrorBox error={error} />
      <button type="submit" class="btn"
        disabled={!rule.message.trim() || (rule.right === 'constant' && rule.constant == null)}>
        {t('quality.add_rule')}
      </button>
    </form>
  )
}
