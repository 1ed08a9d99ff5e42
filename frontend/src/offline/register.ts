// Start-up of the offline parts: the service worker (built only for production) and the outbox.
import { startOutbox } from './queue'

export function startOffline(): void {
  if (import.meta.env.PROD && 'serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js').catch(() => {
      /* no service worker (private mode, http): the app still works online */
    })
  }
  startOutbox()
}
