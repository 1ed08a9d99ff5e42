import type { ComponentChildren } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { clearSession, useAuth } from '../auth'
import { LANGS, setLang, t, useLang, type Lang, type MessageKey } from '../i18n'
import { Link, navigate, useLocation } from '../router'

const NAV: { href: string; key: MessageKey }[] = [
  { href: '/', key: 'nav.overview' },
  { href: '/report', key: 'nav.report' },
  { href: '/manage', key: 'nav.manage' },
  { href: '/admin', key: 'nav.admin' },
]

// Shown until /auth/me has answered (or when the backend is not up yet).
const PLACEHOLDER_USER = { full_name: 'Nguyễn Văn A', unit: 'UBND Phường Mẫu' }

function isActive(href: string, path: string): boolean {
  return href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`)
}

export function LanguageSwitch() {
  const lang = useLang()
  return (
    <div class="lang-switch">
      <label for="lang-select" class="visually-hidden">
        {t('common.language')}
      </label>
      <select id="lang-select" value={lang} onChange={(e) => setLang(e.currentTarget.value as Lang)}>
        {LANGS.map((l) => (
          <option key={l} value={l}>
            {l === 'vi' ? 'Tiếng Việt' : 'English'}
          </option>
        ))}
      </select>
    </div>
  )
}

export function Layout({ children }: { children: ComponentChildren }) {
  const { user } = useAuth()
  const { path } = useLocation()
  const [open, setOpen] = useState(false)

  // Close the phone menu after navigating.
  useEffect(() => setOpen(false), [path])

  const name = user?.full_name || user?.username || PLACEHOLDER_USER.full_name
  const unit = user ? (user.roles[0]?.unit_name ?? '') : PLACEHOLDER_USER.unit

  const logout = () => {
    clearSession()
    navigate('/login', { replace: true })
  }

  return (
    <div class="shell">
      <a class="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <header class="topbar">
        <Link href="/" class="brand">
          {t('app.name')}
        </Link>
        <button
          type="button"
          class="btn menu-toggle"
          aria-expanded={open}
          aria-controls="main-nav"
          onClick={() => setOpen(!open)}
        >
          <span aria-hidden="true">☰</span> {t('nav.menu')}
        </button>
        <div class="user-box">
          <span class="user-name">{name}</span>
          {unit && <span class="user-unit">{unit}</span>}
        </div>
        <LanguageSwitch />
        <button type="button" class="btn btn-quiet logout" onClick={logout}>
          {t('auth.logout')}
        </button>
      </header>
      <nav id="main-nav" class={open ? 'nav nav-open' : 'nav'} aria-label={t('nav.main')}>
        <ul>
          {NAV.map((item) => (
            <li key={item.href}>
              <Link href={item.href} aria-current={isActive(item.href, path) ? 'page' : undefined}>
                {t(item.key)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  )
}
