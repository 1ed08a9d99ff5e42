import { useEffect } from 'preact/hooks'
import { api, call } from './api/client'
import { getToken, setUser, useAuth } from './auth'
import { Layout } from './components/Layout'
import { Loading } from './components/Loading'
import { useLang } from './i18n'
import { LoginPage } from './pages/Login'
import { OverviewPage } from './pages/Overview'
import { ReportPage } from './pages/Report'
import { AdminPage, ManagePage, NotFoundPage, UnitPage } from './pages/Simple'
import { matchRoute, navigate, useLocation, type Route } from './router'

const routes: Route[] = [
  { path: '/', render: () => <OverviewPage /> },
  { path: '/report', render: () => <ReportPage /> },
  { path: '/units/:id', render: (p) => <UnitPage id={p.id} /> },
  { path: '/manage', render: () => <ManagePage /> },
  { path: '/admin', render: () => <AdminPage /> },
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
      if (!stale && r.data && getToken() === token) setUser(r.data)
    })
    return () => {
      stale = true
    }
  }, [token, user])

  if (onLogin) return <LoginPage />
  if (!token) return <Loading />

  const match = matchRoute(routes, path)
  return (
    <Layout>
      {match ? <div key={path}>{match.route.render(match.params)}</div> : <NotFoundPage key={path} />}
    </Layout>
  )
}
