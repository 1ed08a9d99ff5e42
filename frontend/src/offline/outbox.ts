// The outbox: every report the user sends goes through here. It is written to IndexedDB with
// its own Idempotency-Key before the first attempt, so that a report typed offline, or whose
// answer never came back, survives a reload and is sent again later; the server answers a
// resend with the same key as a replay, never as a second report.
//
// Runs in the page and in the service worker: plain fetch, no DOM, no localStorage.
import { parseErrorBody, type ApiError } from '../api/errors'
import type { components } from '../api/schema'
import { all, byUser, del, get, OUTBOX, put, SESSIONS } from './db'

type S = components['schemas']
export type ReportBody = S['ReportCreate'] | S['ReportReplace']

export type OutboxState = 'queued' | 'sending' | 'sent' | 'refused'

export interface OutboxItem {
  /** The Idempotency-Key, made when the user pressed "Gửi"; a change makes a new one. */
  key: string
  user: number
  method: 'POST' | 'PUT'
  path: string
  body: ReportBody
  /** What the queue shows without the network. */
  label: { campaign: string; unit: string; unitName: string; period: string; metrics: { code: string; name: string }[] }
  createdAt: string
  state: OutboxState
  attempts: number
  /** Not before this time (ms): the back-off after a failed attempt. */
  nextAt: number
  sentAt?: string
  /** The server had the report already: an earlier attempt had arrived. */
  replayed?: boolean
  report?: S['ReportPublic']
  /** Why the server refused it (status and the API's error). */
  refusal?: ApiError & { status: number }
  /** The last attempt found the log-in expired: sent once the user logs in again. */
  needsLogin?: boolean
}

export interface Session {
  user: number
  token: string
}

export const SYNC_TAG = 'tiendo-outbox'
const CHANNEL = 'tiendo-outbox'
const FIRST_BACKOFF_MS = 2_000
const MAX_BACKOFF_MS = 5 * 60_000
/** Sent reports stay listed ("Đã gửi lúc …") this long. */
const KEEP_SENT_MS = 3 * 24 * 3600_000

export type Outcome =
  | { kind: 'sent'; report: S['ReportPublic']; replayed: boolean }
  | { kind: 'refused'; error: ApiError & { status: number } }
  | { kind: 'retry'; needsLogin?: boolean }

export function newKey(): string {
  return crypto.randomUUID()
}

/** The delay before attempt `attempts + 1`: doubling from 2 s up to 5 min, ±25 % jitter. */
export function backoff(attempts: number, random: number = Math.random()): number {
  const base = Math.min(FIRST_BACKOFF_MS * 2 ** Math.max(attempts - 1, 0), MAX_BACKOFF_MS)
  return Math.round(base * (0.75 + random / 2))
}

/** One attempt. Network failures, 5xx, 429 and a twin still in progress are worth retrying. */
export async function sendOnce(item: OutboxItem, token: string): Promise<Outcome> {
  let res: Response
  try {
    res = await fetch(item.path, {
      method: item.method,
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
        Accept: 'application/json',
        'Idempotency-Key': item.key,
      },
      body: JSON.stringify(item.body),
      cache: 'no-store',
    })
  } catch {
    return { kind: 'retry' }
  }
  if (res.ok) {
    return { kind: 'sent', report: await res.json(), replayed: res.headers.get('Idempotent-Replayed') === 'true' }
  }
  if (res.status === 401) return { kind: 'retry', needsLogin: true }
  let body: unknown = null
  try {
    body = await res.json()
  } catch {
    /* a proxy's HTML page */
  }
  const error = { ...parseErrorBody(body, res.status), status: res.status }
  if (res.status >= 500 || res.status === 429 || res.status === 408 || error.code === 'idempotency_in_progress') {
    return { kind: 'retry' }
  }
  // A correction whose answer was lost: the server is one version ahead, with our figures.
  if (res.status === 412 && item.method === 'PUT') {
    const mine = await alreadyThere(item, token)
    if (mine) return { kind: 'sent', report: mine, replayed: true }
  }
  return { kind: 'refused', error }
}

async function alreadyThere(item: OutboxItem, token: string): Promise<S['ReportPublic'] | null> {
  try {
    const res = await fetch(item.path, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' }, cache: 'no-store' })
    if (!res.ok) return null
    const current = (await res.json()) as S['ReportPublic']
    const body = item.body as S['ReportReplace']
    const same = JSON.stringify(sorted(current.values)) === JSON.stringify(sorted(body.values))
      && (current.note ?? '') === (body.note ?? '') && current.version === (body.version ?? 0) + 1
    return same ? current : null
  } catch {
    return null
  }
}

function sorted(values: Record<string, number>): [string, number][] {
  return Object.entries(values).sort(([a], [b]) => a.localeCompare(b))
}

/** Records what an attempt gave; returns the stored item. */
export async function settle(item: OutboxItem, outcome: Outcome, now: number = Date.now()): Promise<OutboxItem> {
  let next: OutboxItem
  if (outcome.kind === 'sent') {
    next = { ...item, state: 'sent', sentAt: new Date(now).toISOString(), report: outcome.report, replayed: outcome.replayed, refusal: undefined, needsLogin: false }
  } else if (outcome.kind === 'refused') {
    next = { ...item, state: 'refused', refusal: outcome.error, needsLogin: false }
  } else {
    const attempts = item.attempts + 1
    next = { ...item, state: 'queued', attempts, nextAt: now + backoff(attempts), needsLogin: !!outcome.needsLogin }
  }
  // Discarded or changed (a new key) while this attempt ran: keep the user's choice.
  if (!(await get<OutboxItem>(OUTBOX, item.key))) return next
  await put(OUTBOX, next)
  return next
}

/** One exclusive sender across tabs and the service worker, where Web Locks exist. */
export function exclusive<T>(work: () => Promise<T>): Promise<T> {
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks
  return locks ? (locks.request(SYNC_TAG, work) as Promise<T>) : work()
}

/**
 * Send what is due, each with its own user's log-in. `force` ignores the back-off (the device
 * just came online, the user asked). Returns how many are still waiting.
 */
export async function drain(opts: { force?: boolean; user?: number; now?: () => number } = {}): Promise<number> {
  const now = opts.now ?? Date.now
  return exclusive(async () => {
    const sessions = new Map((await all<Session>(SESSIONS)).map((s) => [s.user, s.token]))
    const items = opts.user === undefined ? await all<OutboxItem>(OUTBOX) : await byUser<OutboxItem>(OUTBOX, opts.user)
    let waiting = 0
    let changed = false
    items.sort((a, b) => a.createdAt.localeCompare(b.createdAt))
    for (const [i, item] of items.entries()) {
      if (item.state === 'sent') {
        if (Date.parse(item.sentAt ?? '') < now() - KEEP_SENT_MS) {
          await del(OUTBOX, item.key)
          changed = true
        }
        continue
      }
      if (item.state === 'refused') continue
      // 'sending' left behind by a closed page counts as queued: the key makes a resend safe.
      const token = sessions.get(item.user)
      if (!token) {
        waiting++ // logged out, reports kept: sent when this user logs in again
        continue
      }
      if (!opts.force && item.nextAt > now()) {
        waiting++
        continue
      }
      if (!(await get<OutboxItem>(OUTBOX, item.key))) continue // discarded or changed meanwhile
      await put(OUTBOX, { ...item, state: 'sending' })
      notify()
      const outcome = await sendOnce(item, token)
      const settled = await settle(item, outcome, now())
      changed = true
      if (settled.state === 'queued') waiting++
      if (outcome.kind === 'retry' && !outcome.needsLogin) {
        // The network is down: the others would fail the same way; try them next time.
        waiting += items.slice(i + 1).filter((rest) => rest.state === 'queued' || rest.state === 'sending').length
        break
      }
    }
    if (changed) notify()
    return waiting
  })
}

/** Tell every tab (and the service worker) that the outbox changed. */
export function notify(): void {
  if (typeof BroadcastChannel === 'undefined') return
  const ch = new BroadcastChannel(CHANNEL)
  ch.postMessage('changed')
  ch.close()
}

export function onChange(listener: () => void): () => void {
  if (typeof BroadcastChannel === 'undefined') return () => {}
  const ch = new BroadcastChannel(CHANNEL)
  ch.onmessage = () => listener()
  return () => ch.close()
}

/** The earliest time a queued item of this user is due, or null. */
export function nextDue(items: OutboxItem[]): number | null {
  const due = items.filter((i) => i.state === 'queued' && !i.needsLogin).map((i) => i.nextAt)
  return due.length ? Math.min(...due) : null
}

export const isUnsent = (i: OutboxItem) => i.state !== 'sent'
