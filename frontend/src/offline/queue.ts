// The page's side of the outbox: the logged-in user's queued reports as a store, the form's
// submit path, and when to drain (app start, `online`, the back-off timer, Background Sync).
// Only the current user's rows are ever read here: another user on the same phone sees nothing.
import { handleUnauthorized } from '../api/client'
import type { ApiError } from '../api/errors'
import { authStore } from '../auth'
import { createStore, useStore } from '../store'
import { byUser, del, OUTBOX, put, SESSIONS } from './db'
import { forgetReads } from './reads'
import {
  drain, exclusive, isUnsent, newKey, nextDue, notify, onChange, sendOnce, settle, SYNC_TAG,
  type OutboxItem, type ReportBody,
} from './outbox'

export type { OutboxItem } from './outbox'

interface QueueState {
  user: number | null
  items: OutboxItem[]
}

export const queueStore = createStore<QueueState>({ user: null, items: [] })
let timer: ReturnType<typeof setTimeout> | undefined

function currentUser(): { id: number; token: string } | null {
  const { user, token } = authStore.get()
  return user && token ? { id: user.id, token } : null
}

/** Re-read this user's rows; plan the next attempt. */
export async function refresh(): Promise<void> {
  const me = currentUser()
  if (!me) {
    queueStore.set({ user: null, items: [] })
    return
  }
  let items: OutboxItem[] = []
  try {
    items = await byUser<OutboxItem>(OUTBOX, me.id)
  } catch {
    /* no IndexedDB here: nothing is ever queued */
  }
  if (currentUser()?.id !== me.id) return // logged out meanwhile
  items.sort((a, b) => b.createdAt.localeCompare(a.createdAt))
  queueStore.set({ user: me.id, items })
  clearTimeout(timer)
  const due = nextDue(items)
  if (due !== null) timer = setTimeout(() => void sendNow(false), Math.max(due - Date.now(), 0) + 20)
}

/** Drain this user's queue now (`force`: ignore the back-off). */
export async function sendNow(force = true): Promise<void> {
  const me = currentUser()
  if (!me) return
  let waiting = 0
  try {
    await put(SESSIONS, { user: me.id, token: me.token })
    waiting = await drain({ force, user: me.id })
  } catch {
    /* IndexedDB unavailable */
  }
  await refresh()
  if (waiting > 0) requestBackgroundSync()
}

/** Chromium sends the queue from the service worker once the device is online again. */
function requestBackgroundSync(): void {
  navigator.serviceWorker?.ready
    .then((reg) => (reg as ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } }).sync?.register(SYNC_TAG))
    .catch(() => {})
}

export type SubmitResult =
  | { kind: 'sent'; report: OutboxItem['report'] & object; replayed: boolean }
  | { kind: 'queued' }
  | { kind: 'refused'; error: ApiError }

/**
 * The form's "Gửi": the report gets its Idempotency-Key now and is stored before the first
 * attempt. Sent → done. No answer → it stays queued and is sent later. Refused while the user
 * is looking → shown on the form (which still holds the figures) and not kept.
 */
export async function submitReport(req: { method: 'POST' | 'PUT'; path: string; body: ReportBody; label: OutboxItem['label'] }): Promise<SubmitResult> {
  const me = currentUser()
  if (!me) return { kind: 'refused', error: { code: 'http_401', message: 'Bạn cần đăng nhập lại.', field: null, details: [] } }
  const item: OutboxItem = {
    ...req, key: newKey(), user: me.id, createdAt: new Date().toISOString(), state: 'sending', attempts: 0, nextAt: 0,
  }
  let stored = true
  try {
    await put(SESSIONS, { user: me.id, token: me.token })
    await put(OUTBOX, item)
    notify()
  } catch {
    stored = false // private mode without IndexedDB: an ordinary request, as before
  }
  // Under the senders' lock, so that a drain elsewhere never finds it half-done.
  const outcome = await exclusive(async () => {
    const result = await sendOnce(item, me.token)
    // Sent or refused while the user watches: the form says so, the outbox need not keep it.
    if (stored && result.kind === 'retry') await settle(item, result)
    else if (stored) await del(OUTBOX, item.key)
    return result
  })
  if (outcome.kind === 'retry' && outcome.needsLogin) handleUnauthorized(401, `Bearer ${me.token}`)
  if (!stored) return outcome.kind === 'retry' ? { kind: 'refused', error: networkError } : outcome
  notify()
  await refresh()
  if (outcome.kind === 'retry') {
    requestBackgroundSync()
    return { kind: 'queued' }
  }
  return outcome.kind === 'sent' ? outcome : { kind: 'refused', error: outcome.error }
}

const networkError: ApiError = {
  code: 'network', message: 'Không kết nối được máy chủ. Kiểm tra mạng và thử lại.', field: null, details: [],
}

/** A queued report changed: a new report for the server, so a new key. */
export async function changeItem(item: OutboxItem, values: Record<string, number>, note: string): Promise<void> {
  const next: OutboxItem = {
    ...item, key: newKey(), body: { ...item.body, values, note }, state: 'queued', attempts: 0, nextAt: 0,
    refusal: undefined, createdAt: new Date().toISOString(),
  }
  await put(OUTBOX, next)
  await del(OUTBOX, item.key)
  notify()
  await sendNow(true)
}

/** Send a refused report again as it is (e.g. after the week was unlocked). */
export async function retryItem(item: OutboxItem): Promise<void> {
  await put(OUTBOX, { ...item, state: 'queued', refusal: undefined, attempts: 0, nextAt: 0 })
  await sendNow(true)
}

export async function discardItem(key: string): Promise<void> {
  await del(OUTBOX, key)
  notify()
  await refresh()
}

export function unsentCount(): number {
  return queueStore.get().items.filter(isUnsent).length
}

/**
 * Log-out: the service worker stops sending for this user. `keep`: the unsent reports stay on
 * the device (hidden from anyone else) and go out when this user logs in again.
 */
export async function forgetUser(user: number, keep: boolean): Promise<void> {
  try {
    await del(SESSIONS, user)
    await forgetReads(user)
    if (!keep) for (const item of await byUser<OutboxItem>(OUTBOX, user)) await del(OUTBOX, item.key)
  } catch {
    /* nothing stored */
  }
  queueStore.set({ user: null, items: [] })
}

export function useOutbox(): OutboxItem[] {
  return useStore(queueStore).items
}

/** Once, at start: drain for whoever is logged in, and whenever the network comes back. */
export function startOutbox(): void {
  let last: number | null = null
  const onAuth = () => {
    const { user, token } = authStore.get()
    if (!token && last !== null) void forgetUser(last, true) // expired or logged out elsewhere
    const id = user && token ? user.id : null
    if (id === last) return
    last = id
    void (id === null ? refresh() : sendNow(true))
  }
  authStore.subscribe(onAuth)
  onAuth()
  window.addEventListener('online', () => void sendNow(true))
  onChange(() => void refresh())
}
