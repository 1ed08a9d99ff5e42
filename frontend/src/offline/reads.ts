// The report form opened with no network: the last answers to the few reads the report page
// makes (campaigns, the user's units, the unit's reports, targets, the week's lock state) are
// kept in IndexedDB under the user's id and served only to that same user, only when the
// network fails. They are deleted at log-out. Nothing else under /api is ever kept, and the
// service worker keeps nothing from /api at all.
import type { Middleware } from 'openapi-fetch'
import { authStore } from '../auth'
import { byUser, del, get, put, READS } from './db'

const KEPT = new Set(['/api/v1/campaigns', '/api/v1/units', '/api/v1/reports', '/api/v1/targets', '/api/v1/completeness'])
const FROM_DEVICE = 'X-Tiendo-From-Device'

interface Read {
  key: string
  user: number
  body: string
  at: string
}

function keyFor(request: Request, schemaPath: string): string | null {
  const user = authStore.get().user
  if (request.method !== 'GET' || !KEPT.has(schemaPath) || !user) return null
  return `${user.id} ${new URL(request.url).pathname}${new URL(request.url).search}`
}

export const readsMiddleware: Middleware = {
  async onResponse({ request, response, schemaPath }) {
    const key = keyFor(request, schemaPath)
    if (!key || !response.ok || response.headers.has(FROM_DEVICE)) return
    const user = authStore.get().user!.id
    try {
      await put<Read>(READS, { key, user, body: await response.clone().text(), at: new Date().toISOString() })
    } catch {
      /* no IndexedDB: nothing kept */
    }
  },
  async onError({ request, schemaPath }) {
    const key = keyFor(request, schemaPath)
    if (!key) return
    const saved = await get<Read>(READS, key).catch(() => undefined)
    if (!saved) return
    return new Response(saved.body, {
      status: 200,
      headers: { 'Content-Type': 'application/json', [FROM_DEVICE]: saved.at },
    })
  },
}

/** Log-out: forget what this user's pages read. */
export async function forgetReads(user: number): Promise<void> {
  for (const r of await byUser<Read>(READS, user)) await del(READS, r.key)
}
