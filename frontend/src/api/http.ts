// Plain-fetch calls for the endpoints the generated schema does not describe yet (see
// contract.ts), and file downloads. Same auth header, same 401 handling and the same error
// shape as the openapi-fetch client.
import { bearer, handleUnauthorized } from './client'
import { errorFromException, parseErrorBody, type ApiError, type ApiResult } from './errors'

const BASE = (import.meta.env.VITE_API_BASE ?? '') + '/api/v1'

export type Query = Record<string, string | number | boolean | null | undefined>

export interface RequestOptions {
  query?: Query
  /** JSON body */
  body?: unknown
  /** multipart body (file uploads) */
  form?: FormData
  headers?: Record<string, string>
}

export function buildUrl(path: string, query?: Query): string {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== null && v !== undefined && v !== '') params.set(k, String(v))
  }
  const qs = params.toString()
  return `${BASE}${path}${qs ? `?${qs}` : ''}`
}

/**
 * A route that does not exist on this server answers 404 with the generic message
 * (the web app's fallback) or FastAPI's default body; say so instead of "not found".
 */
function markUnavailable(error: ApiError, status: number): ApiError {
  const generic = error.code === 'http_404' || (error.code === 'not_found' && error.message === 'Không tìm thấy.')
  return status === 404 && generic ? { ...error, code: 'unavailable' } : error
}

async function send(method: string, path: string, opts: RequestOptions): Promise<Response> {
  const auth = bearer()
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers }
  if (auth) headers.Authorization = auth
  let body: BodyInit | undefined
  if (opts.form) body = opts.form
  else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(opts.body)
  }
  const response = await fetch(buildUrl(path, opts.query), { method, headers, body })
  handleUnauthorized(response.status, auth)
  return response
}

async function failure(response: Response): Promise<ApiError> {
  let parsed: unknown = null
  try {
    const text = await response.text()
    parsed = text ? JSON.parse(text) : null
  } catch {
    parsed = null
  }
  return markUnavailable(parseErrorBody(parsed, response.status), response.status)
}

/** JSON request → `{data}` or `{error}` (never throws). 204 gives `data: undefined`. */
export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResult<T>> {
  try {
    const response = await send(method, path, opts)
    if (!response.ok) return { error: await failure(response) }
    if (response.status === 204) return { data: undefined as T }
    return { data: (await response.json()) as T }
  } catch (e) {
    return { error: errorFromException(e) }
  }
}

function fileName(response: Response, fallback: string): string {
  const cd = response.headers.get('Content-Disposition') ?? ''
  const star = /filename\*=UTF-8''([^;]+)/i.exec(cd)
  if (star) {
    try {
      return decodeURIComponent(star[1])
    } catch {
      /* fall through */
    }
  }
  const plain = /filename="?([^";]+)"?/i.exec(cd)
  return plain ? plain[1] : fallback
}

/**
 * Download a file that needs the bearer token: fetch it as a blob, then save it through a
 * temporary object URL (a plain link could not send the header).
 */
export async function download(path: string, query: Query, fallbackName: string): Promise<ApiResult<string>> {
  try {
    const response = await send('GET', path, { query, headers: { Accept: '*/*' } })
    if (!response.ok) return { error: await failure(response) }
    const blob = await response.blob()
    const name = fileName(response, fallbackName)
    const url = URL.createObjectURL(blob)
    const a = document.createElement('a')
    a.href = url
    a.download = name
    document.body.appendChild(a)
    a.click()
    a.remove()
    setTimeout(() => URL.revokeObjectURL(url), 10_000)
    return { data: name }
  } catch (e) {
    return { error: errorFromException(e) }
  }
}
