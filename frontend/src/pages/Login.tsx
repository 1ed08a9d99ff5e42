import { useState } from 'preact/hooks'
import { api, call, type ApiError } from '../api/client'
import { setSession } from '../auth'
import { ErrorBox } from '../components/ErrorBox'
import { LanguageSwitch } from '../components/Layout'
import { Page } from '../components/Page'
import { t } from '../i18n'
import { navigate, safeNext, useLocation } from '../router'

export function LoginPage() {
  const { search } = useLocation()
  const query = new URLSearchParams(search)
  const expired = query.get('expired') === '1'
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)

  const submit = async (e: Event) => {
    e.preventDefault()
    if (busy) return
    setBusy(true)
    setError(null)
    const tok = await call(
      api.POST('/api/v1/auth/token', {
        body: { username: username.trim(), password, scope: '' },
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      }),
    )
    if (tok.error) {
      setError(tok.error)
      setBusy(false)
      return
    }
    const token = tok.data.access_token
    const me = await call(api.GET('/api/v1/auth/me', { headers: { Authorization: `Bearer ${token}` } }))
    if (me.error) {
      setError(me.error)
      setBusy(false)
      return
    }
    setSession(token, me.data)
    navigate(safeNext(query.get('next')), { replace: true })
  }

  const fieldError = (name: string) => (error?.field === name ? error : null)

  return (
    <div class="login-wrap">
      <div class="login-card">
        <p class="brand brand-big">{t('app.name')}</p>
        <p class="muted">{t('app.tagline')}</p>
        <Page title={t('auth.login')}>
          {expired && !error && (
            <p class="notice" role="status">
              {t('auth.session_expired')}
            </p>
          )}
          <form onSubmit={submit} noValidate={false}>
            <div class="field">
              <label for="username">{t('auth.username')}</label>
              <input
                id="username"
                name="username"
                autocomplete="username"
                autocapitalize="none"
                spellcheck={false}
                required
                value={username}
                aria-invalid={fieldError('username') ? true : undefined}
                onInput={(e) => setUsername(e.currentTarget.value)}
              />
            </div>
            <div class="field">
              <label for="password">{t('auth.password')}</label>
              <input
                id="password"
                name="password"
                type="password"
                autocomplete="current-password"
                required
                value={password}
                aria-invalid={fieldError('password') ? true : undefined}
                onInput={(e) => setPassword(e.currentTarget.value)}
              />
            </div>
            <ErrorBox error={error} />
            <button type="submit" class="btn btn-primary btn-block" disabled={busy} aria-busy={busy}>
              {busy ? t('auth.logging_in') : t('auth.login')}
            </button>
          </form>
          <LanguageSwitch />
        </Page>
      </div>
    </div>
  )
}
