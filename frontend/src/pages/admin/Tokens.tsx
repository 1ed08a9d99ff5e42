import { useState } from 'preact/hooks'
import { api, call, type ApiError } from '../../api/client'
import type { ApiTokenCreated, ApiTokenPublic } from '../../api/types'
import { useAuth } from '../../auth'
import { ErrorBox } from '../../components/ErrorBox'
import { Field } from '../../components/Field'
import { UnitPicker } from '../../components/UnitPicker'
import { Loading } from '../../components/Loading'
import { formatDate, formatDateTime } from '../../format'
import { useApi } from '../../hooks'
import { t, type MessageKey } from '../../i18n'
import { grantsWith } from '../../roles'

type Scope = 'read' | 'reports:write' | 'official-counts:write'
const SCOPES: Scope[] = ['read', 'reports:write', 'official-counts:write']

export function Tokens() {
  const [version, setVersion] = useState(0)
  const res = useApi(() => call(api.GET('/api/v1/tokens', { params: { query: { limit: 500 } } })), [version])
  return (
    <>
      <section class="card" aria-labelledby="tokens-title">
        <h2 id="tokens-title">{t('admin.tokens')}</h2>
        {res.loading && !res.data && <Loading />}
        <ErrorBox error={res.error} onRetry={res.reload} />
        {res.data && res.data.count === 0 && <p class="muted">{t('tokens.empty')}</p>}
        <ul class="user-list">
          {(res.data?.data ?? []).map((tk) => (
            <TokenRow key={tk.id} token={tk} onChange={() => setVersion((v) => v + 1)} />
          ))}
        </ul>
      </section>
      <CreateToken onCreated={() => setVersion((v) => v + 1)} />
    </>
  )
}

function TokenRow({ token, onChange }: { token: ApiTokenPublic; onChange: () => void }) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)
  const revoke = async () => {
    if (!window.confirm(t('tokens.confirm_revoke', { name: token.name }))) return
    setBusy(true)
    const r = await call(api.POST('/api/v1/tokens/{token_id}/revoke', { params: { path: { token_id: token.id } } }))
    setBusy(false)
    if (r.error) setError(r.error)
    else onChange()
  }
  return (
    <li class="user-row">
      <div>
        <strong>{token.name}</strong> <code>{token.prefix}…</code> · {token.unit}
        <br />
        <span class="small">
          {token.scopes.map((s) => t(`scope.${s}` as MessageKey)).join(', ')} · {t('tokens.expires', { date: formatDate(token.expires_at) })} ·{' '}
          {t('tokens.last_used', { time: formatDateTime(token.last_used_at) })}
        </span>
      </div>
      {token.revoked_at ? (
        <span class="badge badge-neutral">{t('tokens.revoked', { time: formatDateTime(token.revoked_at) })}</span>
      ) : (
        <button type="button" class="btn btn-small" disabled={busy} onClick={revoke} aria-label={t('tokens.revoke_named', { name: token.name })}>
          {t('tokens.revoke')}
        </button>
      )}
      <ErrorBox error={error} />
    </li>
  )
}

function CreateToken({ onCreated }: { onCreated: () => void }) {
  const { user } = useAuth()
  const [name, setName] = useState('')
  const [unit, setUnit] = useState(grantsWith(user, 'admin')[0]?.unit ?? '')
  const [scopes, setScopes] = useState<Scope[]>(['official-counts:write'])
  const [days, setDays] = useState('90')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)
  const [created, setCreated] = useState<ApiTokenCreated | null>(null)
  const toggle = (s: Scope) => setScopes(scopes.includes(s) ? scopes.filter((x) => x !== s) : [...scopes, s])
  const fieldError = (f: string) => (error?.field === f ? error.message : null)

  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    setCreated(null)
    const r = await call(api.POST('/api/v1/tokens', {
      body: { name, unit, scopes, expires_in_days: Number.parseInt(days, 10) || 90 },
    }))
    setBusy(false)
    if (r.error) return setError(r.error)
    setCreated(r.data)
    setName('')
    onCreated()
  }
  return (
    <form class="card" onSubmit={submit} aria-labelledby="new-token-title">
      <h2 id="new-token-title">{t('tokens.new')}</h2>
      <Field id="token-name" label={t('tokens.name')} required value={name} error={fieldError('name')} hint={t('tokens.name_hint')}
        onInput={(e) => setName(e.currentTarget.value)} />
      <UnitPicker id="token-unit" label={t('common.unit')} required value={unit} error={fieldError('unit')} onChange={setUnit} />
      <fieldset class="checks">
        <legend>{t('tokens.scopes')}</legend>
        {SCOPES.map((s) => (
          <div class="check" key={s}>
            <input id={`scope-${s}`} type="checkbox" checked={scopes.includes(s)} onChange={() => toggle(s)} />
            <label for={`scope-${s}`}>{t(`scope.${s}` as MessageKey)}</label>
          </div>
        ))}
      </fieldset>
      <Field id="token-days" label={t('tokens.days')} type="number" min={1} max={730} required value={days}
        error={fieldError('expires_in_days')} onInput={(e) => setDays(e.currentTarget.value)} />
      <ErrorBox error={error && !['name', 'unit', 'expires_in_days'].includes(error.field ?? '') ? error : null} />
      {created && (
        <div class="success secret" role="status">
          <p class="success-title">{t('tokens.created', { name: created.name })}</p>
          <p>{t('tokens.secret_once')}</p>
          <label for="token-secret">{t('tokens.secret')}</label>
          <input id="token-secret" readOnly value={created.token} onFocus={(e) => e.currentTarget.select()} />
        </div>
      )}
      <button type="submit" class="btn btn-primary" disabled={busy || scopes.length === 0}>
        {t('tokens.create')}
      </button>
    </form>
  )
}
