// Start-up of the offline parts: the service worker (built only for production) and the outbox.
import { api } from '../api/client'
import { startOutbox } from './queue'
import { readsMiddleware } from './reads'

export function startOffline(): void {
  if (import.meta.env.PROD && 'serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js').catch(() => {
      /* no service worker (private mode, http): the app still works online */
    })
  }
  api.use(readsMiddleware)
  startOutbox()
}
