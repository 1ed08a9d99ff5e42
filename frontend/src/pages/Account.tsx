import { useState } from 'preact/hooks'
import { api, call, type ApiError } from '../api/client'
import { authStore, getToken, setSession, useAuth } from '../auth'
import { ErrorBox } from '../components/ErrorBox'
import { Field } from '../components/Field'
import { Page } from '../components/Page'
import { t, type MessageKey } from '../i18n'
import { Link } from '../router'

export function AccountPage() {
  const { user } = useAuth()
  return (
    <Page title={t('account.title')}>
      {user && (
        <div class="card">
          <h2>{user.full_name}</h2>
          <p class="muted">
            {t('auth.username')}: <strong>{user.username}</strong>
          </p>
          <ul class="plain-list">
            {user.roles.map((r) => (
              <li key={`${r.role}-${r.unit}`}>
                {t(`role.${r.role}` as MessageKey)} — <Link href={`/units/${encodeURIComponent(r.unit)}`}>{r.unit_name}</Link>
              </li>
            ))}
          </ul>
        </div>
      )}
      <ChangePassword />
    </Page>
  )
}

function ChangePassword() {
  const [current, setCurrent] = useState('')
  const [next, setNext] = useState('')
  const [again, setAgain] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)
  const [done, setDone] = useState(false)
  const mismatch = again !== '' && again !== next ? t('account.mismatch') : null
  const tooShort = next !== '' && next.length < 8 ? t('account.too_short') : null

  const submit = async (e: Event) => {
    e.preventDefault()
    if (busy || mismatch || tooShort || !current || !next) return
    setBusy(true)
    setError(null)
    setDone(false)
    const r = await call(api.POST('/api/v1/auth/password', { body: { current_password: current, new_password: next } }))
    if (r.error) {
      setBusy(false)
      return setError(r.error)
    }
    // Changing the password ends every session, this one included: log in again with it.
    await renewSession(next)
    setBusy(false)
    setCurrent('')
    setNext('')
    setAgain('')
    setDone(true)
  }
  const serverError = (field: string) => (error?.field === field ? error.message : null)

  return (
    <form class="card form-narrow" onSubmit={submit}>
      <h2>{t('auth.change_password')}</h2>
      <Field id="pw-current" label={t('account.current')} type="password" autocomplete="current-password" required
        value={current} error={serverError('current_password')} onInput={(e) => setCurrent(e.currentTarget.value)} />
      <Field id="pw-new" label={t('account.new')} type="password" autocomplete="new-password" required minLength={8}
        hint={t('account.rule')} value={next} error={tooShort ?? serverError('new_password')}
        onInput={(e) => setNext(e.currentTarget.value)} />
      <Field id="pw-again" label={t('account.again')} type="password" autocomplete="new-password" required
        value={again} error={mismatch} onInput={(e) => setAgain(e.currentTarget.value)} />
      {error && !error.field?.endsWith('password') && <ErrorBox error={error} />}
      {done && (
        <p class="success" role="status">
          {t('account.changed')}
        </p>
      )}
      <button type="submit" class="btn btn-primary" disabled={busy}>
        {busy ? t('common.saving') : t('auth.change_password')}
      </button>
    </form>
  )
}

async function renewSession(password: string): Promise<void> {
  const user = authStore.get().user
  if (!user) return
  const tok = await call(
    api.POST('/api/v1/auth/token', {
      body: { username: user.username, password, scope: '' },
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    }),
  )
  if (tok.data && getToken()) setSession(tok.data.access_token, user)
}
