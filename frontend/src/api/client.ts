// Typed API client. Types come from ./schema.d.ts, generated from the
// backend's OpenAPI document (see README). Paths already include /api/v1.
import createClient, { type Middleware } from 'openapi-fetch'
import { clearSession, getToken } from '../auth'
import { navigate } from '../router'
import { errorFromException, parseErrorBody, type ApiResult } from './errors'
import type { paths } from './schema'

export type { ApiError, ApiResult } from './errors'

export const LOGIN_PATH = '/login'
const TOKEN_PATH = '/api/v1/auth/token'

export const api = createClient<paths>({
  // Same origin: in dev Vite proxies /api to the backend; in production the
  // backend serves this app. VITE_API_BASE can point elsewhere if needed.
  baseUrl: import.meta.env.VITE_API_BASE ?? '',
  headers: { Accept: 'application/json' },
})

/** The Authorization header value for the stored session, if any. */
export function bearer(): string | null {
  const token = getToken()
  return token ? `Bearer ${token}` : null
}

/**
 * A 401 ends the session only when the request carried the *stored* token.
 * A failed log-in (wrong password, or /auth/me checked with a fresh token) is left to the caller.
 */
export function handleUnauthorized(status: number, sentAuthorization: string | null): void {
  if (status !== 401) return
  const current = bearer()
  if (!current || sentAuthorization !== current) return
  clearSession()
  const here = window.location.pathname + window.location.search
  if (window.location.pathname !== LOGIN_PATH) {
    navigate(`${LOGIN_PATH}?expired=1&next=${encodeURIComponent(here)}`, { replace: true })
  }
}

const authMiddleware: Middleware = {
  onRequest({ request, schemaPath }) {
    const auth = bearer()
    if (schemaPath === TOKEN_PATH) return request
    if (auth && !request.headers.has('Authorization')) request.headers.set('Authorization', auth)
    return request
  },
  onResponse({ request, response }) {
    handleUnauthorized(response.status, request.headers.get('Authorization'))
  },
}

api.use(authMiddleware)

/**
 * Await an openapi-fetch call and return `{data}` or `{error}` where `error`
 * always has the ApiError shape (network failures → code "network").
 *
 *   const r = await call(api.GET('/api/v1/auth/me'))
 *   if (r.error) show(r.error.message) else use(r.data)
 */
export async function call<T>(
  request: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<ApiResult<T>> {
  try {
    const { data, error, response } = await request
    if (response.ok) return { data: data as T }
    return { error: parseErrorBody(error, response.status) }
  } catch (e) {
    return { error: errorFromException(e) }
  }
}
