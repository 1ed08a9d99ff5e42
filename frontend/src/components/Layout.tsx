import type { ComponentChildren } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import type { Role } from '../api/types'
import { clearSession, useAuth } from '../auth'
import { resetCampaigns } from '../campaign'
import { LogoutQuestion, requestLogout } from '../offline/Outbox'
import { LANGS, setLang, t, useLang, type Lang, type MessageKey } from '../i18n'
import { hasRole, topRole } from '../roles'
import { Link, navigate, useLocation } from '../router'

// Each item needs at least this role (admin ⊃ manager ⊃ reporter ⊃ viewer).
const NAV: { href: string; key: MessageKey; role: Role }[] = [
  { href: '/', key: 'nav.overview', role: 'viewer' },
  { href: '/report', key: 'nav.report', role: 'reporter' },
  { href: '/units', key: 'nav.units', role: 'viewer' },
  { href: '/manage', key: 'nav.manage', role: 'manager' },
  { href: '/campaigns', key: 'nav.campaigns', role: 'manager' },
  { href: '/quality', key: 'nav.quality', role: 'manager' },
  { href: '/admin', key: 'nav.admin', role: 'admin' },
  { href: '/account', key: 'nav.account', role: 'viewer' },
]

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

  const name = user ? user.full_name || user.username : t('common.loading')
  const unit = user?.roles[0]?.unit_name ?? ''
  const role = topRole(user)
  const items = NAV.filter((item) => user && hasRole(user, item.role))

  // Unsent reports on this device: ask first what to do with them.
  const logout = () => requestLogout(() => {
    clearSession()
    resetCampaigns()
    navigate('/login', { replace: true })
  })

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
          <span class="visually-hidden">{t('account.logged_in_as')}</span>
          <Link href="/account" class="user-name">
            {name}
          </Link>
          {unit && (
            <span class="user-unit">
              {role ? `${t(`role.${role}` as MessageKey)} · ` : ''}
              {unit}
            </span>
          )}
        </div>
        <LanguageSwitch />
        <button type="button" class="btn btn-quiet logout" onClick={logout}>
          {t('auth.logout')}
        </button>
      </header>
      <nav id="main-nav" class={open ? 'nav nav-open' : 'nav'} aria-label={t('nav.main')}>
        <ul>
          {items.map((item) => (
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
      <LogoutQuestion />
    </div>
  )
}
