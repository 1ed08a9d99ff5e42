// The service worker, built to /sw.js by vite.config.ts (build/pwa.ts) with the list of the
// built files. It precaches the app shell and assets (cache first: their names carry a content
// hash, index.html and the rest come with this worker's version), answers page navigations
// with the cached shell, and sends queued reports at start and on Background Sync.
// It never touches /api: answers there belong to one user and are never cached.
import { drain, SYNC_TAG } from './outbox'

declare const self: ServiceWorkerGlobalScope
declare const __PRECACHE__: string[]
declare const __VERSION__: string

const PRECACHE: string[] = __PRECACHE__
const CACHE = `tiendo-shell-${__VERSION__}`
const SHELL = '/index.html'
// Server-rendered pages that are not the web app.
const NOT_APP = /^\/(api|docs|redoc|openapi\.json|metrics)(\/|$)/

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(PRECACHE.map((url) => new Request(url, { cache: 'reload' }))))
      .then(() => self.skipWaiting()),
  )
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('tiendo-shell-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  )
})

self.addEventListener('fetch', (event) => {
  const req = event.request
  if (req.method !== 'GET') return
  const url = new URL(req.url)
  if (url.origin !== self.location.origin || NOT_APP.test(url.pathname)) return
  if (req.mode === 'navigate') {
    event.respondWith(caches.match(SHELL, { cacheName: CACHE }).then((hit) => hit ?? fetch(req)))
    return
  }
  if (PRECACHE.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname, { cacheName: CACHE }).then((hit) => hit ?? fetch(req)))
  }
})

interface SyncEvent extends ExtendableEvent {
  tag: string
}

self.addEventListener('sync', ((event: SyncEvent) => {
  if (event.tag !== SYNC_TAG) return
  // Rejected while reports still wait: the browser tries again later with its own back-off.
  event.waitUntil(drain({ force: true }).then((waiting) => {
    if (waiting > 0) throw new Error(`${waiting} reports still waiting`)
  }))
}) as EventListener)

// Every start of the worker (a page opened, a sync, an update) is a chance to send.
drain().catch(() => {})
