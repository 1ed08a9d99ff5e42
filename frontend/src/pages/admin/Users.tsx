import { useState } from 'preact/hooks'
import { api, call, type ApiError } from '../../api/client'
import type { Role, UserPublic } from '../../api/types'
import { useAuth } from '../../auth'
import { ErrorBox } from '../../components/ErrorBox'
import { Field } from '../../components/Field'
import { Loading } from '../../components/Loading'
import { UnitPicker } from '../../components/UnitPicker'
import { formatNumber } from '../../format'
import { useApi } from '../../hooks'
import { t, type MessageKey } from '../../i18n'
import { grantsWith } from '../../roles'
import { ImportPanel } from './ImportPanel'

const ROLES: Role[] = ['viewer', 'reporter', 'manager', 'admin']

export function Users() {
  const [q, setQ] = useState('')
  const [version, setVersion] = useState(0)
  const res = useApi(() => call(api.GET('/api/v1/users', { params: { query: { q: q || undefined, limit: 100 } } })), [q, version])
  return (
    <>
      <section class="card" aria-labelledby="users-title">
        <h2 id="users-title">
          {t('admin.users')} {res.data && <span class="muted small">({formatNumber(res.data.count)})</span>}
        </h2>
        <div class="field">
          <label for="user-search">{t('users.search')}</label>
          <input id="user-search" type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        </div>
        {res.loading && !res.data && <Loading />}
        <ErrorBox error={res.error} onRetry={res.reload} />
        <ul class="user-list">
          {(res.data?.data ?? []).map((u) => (
            <UserRow key={u.id} user={u} onChange={() => setVersion((v) => v + 1)} />
          ))}
        </ul>
      </section>
      <CreateUser onCreated={() => setVersion((v) => v + 1)} />
      <ImportPanel kind="users" onImported={() => setVersion((v) => v + 1)} />
    </>
  )
}

function RoleFields({ prefix, role, unit, onRole, onUnit }: {
  prefix: string
  role: Role
  unit: string
  onRole: (r: Role) => void
  onUnit: (u: string) => void
}) {
  return (
    <div class="row-fields">
      <div class="field">
        <label for={`${prefix}-role`}>{t('users.role')}</label>
        <select id={`${prefix}-role`} value={role} onChange={(e) => onRole(e.currentTarget.value as Role)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`role.${r}` as MessageKey)}
            </option>
          ))}
        </select>
      </div>
      <UnitPicker id={`${prefix}-unit`} label={t('common.unit')} value={unit} required onChange={onUnit} />
    </div>
  )
}

function UserRow({ user, onChange }: { user: UserPublic; onChange: () => void }) {
  const [mode, setMode] = useState<'view' | 'roles' | 'password'>('view')
  const [role, setRole] = useState<Role>((user.roles[0]?.role as Role) ?? 'viewer')
  const [unit, setUnit] = useState(user.roles[0]?.unit ?? '')
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)
  const [message, setMessage] = useState<string | null>(null)
  const prefix = `user-${user.id}`

  const save = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    const r =
      mode === 'roles'
        ? await call(api.PUT('/api/v1/users/{user_id}/roles', { params: { path: { user_id: user.id } }, body: { roles: [{ role, unit }] } }))
        : await call(api.POST('/api/v1/users/{user_id}/password', { params: { path: { user_id: user.id } }, body: { new_password: password } }))
    setBusy(false)
    if (r.error) return setError(r.error)
    setMessage(mode === 'roles' ? t('users.roles_saved') : t('users.password_reset'))
    setMode('view')
    setPassword('')
    if (mode === 'roles') onChange()
  }

  return (
    <li class="user-row">
      <div>
        <strong>{user.full_name}</strong> <span class="muted">({user.username})</span>
        {!user.active && <span class="badge badge-neutral">{t('users.inactive')}</span>}
        <br />
        <span class="small">
          {user.roles.map((r) => `${t(`role.${r.role}` as MessageKey)} — ${r.unit_name}`).join('; ')}
        </span>
      </div>
      {mode === 'view' ? (
        <div class="row-actions">
          <button type="button" class="btn btn-small" onClick={() => setMode('roles')} aria-label={t('users.edit_roles_of', { name: user.username })}>
            {t('users.edit_roles')}
          </button>
          <button type="button" class="btn btn-small" onClick={() => setMode('password')} aria-label={t('users.reset_password_of', { name: user.username })}>
            {t('users.reset_password')}
          </button>
        </div>
      ) : (
        <form class="inline-card" onSubmit={save}>
          {mode === 'roles' ? (
            <RoleFields prefix={prefix} role={role} unit={unit} onRole={setRole} onUnit={setUnit} />
          ) : (
            <Field id={`${prefix}-password`} label={t('account.new')} type="password" autocomplete="new-password" minLength={8}
              required hint={t('account.rule')} value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
          )}
          <div class="row-actions">
            <button type="submit" class="btn btn-primary btn-small" disabled={busy}>
              {t('common.save')}
            </button>
            <button type="button" class="btn btn-small" onClick={() => setMode('view')}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      )}
      <ErrorBox error={error} />
      {message && (
        <p class="success" role="status">
          {message}
        </p>
      )}
    </li>
  )
}

function CreateUser({ onCreated }: { onCreated: () => void }) {
  const { user: me } = useAuth()
  const [username, setUsername] = useState('')
  const [fullName, setFullName] = useState('')
  const [password, setPassword] = useState('')
  const [role, setRole] = useState<Role>('reporter')
  const [unit, setUnit] = useState(grantsWith(me, 'admin')[0]?.unit ?? '')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)
  const [created, setCreated] = useState<string | null>(null)
  const fieldError = (f: string) => (error?.field === f || error?.field?.startsWith(`${f}.`) ? error.message : null)

  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    setCreated(null)
    const r = await call(api.POST('/api/v1/users', {
      body: { username: username.trim(), full_name: fullName, password, roles: [{ role, unit }] },
    }))
    setBusy(false)
    if (r.error) return setError(r.error)
    setCreated(t('users.created', { name: r.data.username }))
    setUsername('')
    setFullName('')
    setPassword('')
    onCreated()
  }
  const shown = error && !['username', 'full_name', 'password', 'roles'].some((f) => fieldError(f)) ? error : null

  return (
    <form class="card" onSubmit={submit} aria-labelledby="new-user-title">
      <h2 id="new-user-title">{t('users.new')}</h2>
      <Field id="new-username" label={t('auth.username')} required autocapitalize="none" hint={t('users.username_rule')}
        value={username} error={fieldError('username')} onInput={(e) => setUsername(e.currentTarget.value)} />
      <Field id="new-fullname" label={t('users.full_name')} required value={fullName} error={fieldError('full_name')}
        onInput={(e) => setFullName(e.currentTarget.value)} />
      <Field id="new-password" label={t('auth.password')} type="password" autocomplete="new-password" required minLength={8}
        hint={t('account.rule')} value={password} error={fieldError('password')} onInput={(e) => setPassword(e.currentTarget.value)} />
      <RoleFields prefix="new" role={role} unit={unit} onRole={setRole} onUnit={setUnit} />
      {fieldError('roles') && <p class="field-error">{fieldError('roles')}</p>}
      <ErrorBox error={shown} />
      {created && (
        <p class="success" role="status">
          {created}
        </p>
      )}
      <button type="submit" class="btn btn-primary" disabled={busy}>
        {t('users.create')}
      </button>
    </form>
  )
}
