// A tiny promise wrapper over IndexedDB, shared by the page and the service worker (no DOM,
// no localStorage here). Two stores: the outbox (reports waiting to be sent, per user) and the
// log-in each user's reports are sent with (so that the service worker can send them too), and
// the report page's last reads per user (src/offline/reads.ts).

const DB_NAME = 'tiendo-offline'
export const OUTBOX = 'outbox'
export const SESSIONS = 'sessions'
export const READS = 'reads'

let opening: Promise<IDBDatabase> | null = null

function open(): Promise<IDBDatabase> {
  opening ??= new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1)
    req.onupgradeneeded = () => {
      const db = req.result
      db.createObjectStore(OUTBOX, { keyPath: 'key' }).createIndex('user', 'user')
      db.createObjectStore(SESSIONS, { keyPath: 'user' })
      db.createObjectStore(READS, { keyPath: 'key' }).createIndex('user', 'user')
    }
    req.onsuccess = () => {
      const db = req.result
      // Another tab or a newer service worker upgrading: let it, reopen on next use.
      db.onversionchange = () => {
        db.close()
        opening = null
      }
      resolve(db)
    }
    req.onerror = () => {
      opening = null
      reject(req.error)
    }
  })
  return opening
}

function done<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })
}

async function store(name: string, mode: IDBTransactionMode): Promise<IDBObjectStore> {
  return (await open()).transaction(name, mode).objectStore(name)
}

export async function get<T>(name: string, key: IDBValidKey): Promise<T | undefined> {
  return done((await store(name, 'readonly')).get(key)) as Promise<T | undefined>
}

export async function put<T>(name: string, value: T): Promise<void> {
  await done((await store(name, 'readwrite')).put(value))
}

export async function del(name: string, key: IDBValidKey): Promise<void> {
  await done((await store(name, 'readwrite')).delete(key))
}

export async function all<T>(name: string): Promise<T[]> {
  return done((await store(name, 'readonly')).getAll()) as Promise<T[]>
}

/** The rows of one user (the outbox's `user` index). */
export async function byUser<T>(name: string, user: number): Promise<T[]> {
  return done((await store(name, 'readonly')).index('user').getAll(user)) as Promise<T[]>
}
