import { useEffect } from 'preact/hooks'
import { api, call } from './api/client'
import type { Role } from './api/types'
import { getToken, rememberedUser, setUser, useAuth } from './auth'
import { Layout } from './components/Layout'
import { lazyPage } from './components/Lazy'
import { Loading } from './components/Loading'
import { Forbidden, NotFoundPage } from './components/Page'
import { useLang } from './i18n'
import { AccountPage } from './pages/Account'
import { LoginPage } from './pages/Login'
import { OverviewPage } from './pages/Overview'
import { ReportPage } from './pages/Report'
import { MyUnitRedirect, UnitPage } from './pages/Unit'
import { hasRole } from './roles'
import { matchRoute, navigate, useLocation, type Route } from './router'

const ManagePage = lazyPage(() => import('./pages/manage/Manage').then((m) => m.ManagePage))
const CampaignsPage = lazyPage(() => import('./pages/campaigns/Campaigns').then((m) => m.CampaignsPage))
const QualityPage = lazyPage(() => import('./pages/quality/Quality').then((m) => m.QualityPage))
const AdminPage = lazyPage<{ section?: string }>(() => import('./pages/admin/Admin').then((m) => m.AdminPage))

interface Guarded extends Route {
  role: Role
}

const routes: Guarded[] = [
  { path: '/', role: 'viewer', render: () => <OverviewPage /> },
  { path: '/report', role: 'reporter', render: () => <ReportPage /> },
  { path: '/units', role: 'viewer', render: () => <MyUnitRedirect /> },
  { path: '/units/:code', role: 'viewer', render: (p) => <UnitPage code={p.code} /> },
  { path: '/manage', role: 'manager', render: () => <ManagePage /> },
  { path: '/campaigns', role: 'manager', render: () => <CampaignsPage /> },
  { path: '/quality', role: 'manager', render: () => <QualityPage /> },
  { path: '/admin', role: 'admin', render: () => <AdminPage /> },
  { path: '/admin/:section', role: 'admin', render: (p) => <AdminPage section={p.section} /> },
  { path: '/account', role: 'viewer', render: () => <AccountPage /> },
]

export function App() {
  useLang() // re-render everything when the language changes
  const { token, user } = useAuth()
  const { path, search } = useLocation()
  const onLogin = path === '/login'

  // Not logged in: every page except /login sends the user to /login.
  useEffect(() => {
    if (!token && !onLogin) {
      navigate(`/login?next=${encodeURIComponent(path + search)}`, { replace: true })
    }
  }, [token, onLogin, path, search])

  // Logged in from a previous visit: load who we are.
  useEffect(() => {
    if (!token || user) return
    let stale = false
    call(api.GET('/api/v1/auth/me')).then((r) => {
      if (stale || getToken() !== token) return
      if (r.data) setUser(r.data)
      else if (r.error.code === 'network') setUser(rememberedUser(token)) // offline: the report page still opens
    })
    return () => {
      stale = true
    }
  }, [token, user])

  if (onLogin) return <LoginPage />
  if (!token) return <Loading />

  const match = matchRoute(routes, path)
  let page
  if (!user) page = <Loading />
  else if (!match) page = <NotFoundPage />
  else if (!hasRole(user, (match.route as Guarded).role)) page = <Forbidden />
  else page = match.route.render(match.params)
  return (
    <Layout>
      <div key={path}>{page}</div>
    </Layout>
  )
}
