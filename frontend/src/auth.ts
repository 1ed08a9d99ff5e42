// Auth state: the bearer token (persisted under `tiendo.token`) and the
// current user as returned by GET /api/v1/auth/me (memory only).
import type { components } from './api/schema'
import { createStore, storage, useStore } from './store'

export const TOKEN_KEY = 'tiendo.token'
// The last /auth/me answer for this log-in, so that the app opens without a network. Only the
// user's own record, tied to the token it was read with, and removed at log-out.
const ME_KEY = 'tiendo.me'

export type CurrentUser = components['schemas']['UserPublic']

export interface AuthState {
  token: string | null
  user: CurrentUser | null
}

export const authStore = createStore<AuthState>({ token: storage.get(TOKEN_KEY), user: null })

export function getToken(): string | null {
  return authStore.get().token
}

export function setSession(token: string, user: CurrentUser | null): void {
  storage.set(TOKEN_KEY, token)
  storage.set(ME_KEY, user ? JSON.stringify({ token, user }) : null)
  authStore.set({ token, user })
}

export function setUser(user: CurrentUser | null): void {
  const { token } = authStore.get()
  storage.set(ME_KEY, user && token ? JSON.stringify({ token, user }) : null)
  authStore.set({ ...authStore.get(), user })
}

/** Who was logged in with this token when the network last answered (offline start). */
export function rememberedUser(token: string): CurrentUser | null {
  try {
    const saved = JSON.parse(storage.get(ME_KEY) ?? 'null') as { token: string; user: CurrentUser } | null
    return saved && saved.token === token ? saved.user : null
  } catch {
    return null
  }
}

/** Forget the token (log-out, or the server answered 401). */
export function clearSession(): void {
  storage.set(TOKEN_KEY, null)
  storage.set(ME_KEY, null)
  authStore.set({ token: null, user: null })
}

export function useAuth(): AuthState {
  return useStore(authStore)
}

// Keep tabs in sync: logging out in one tab logs out the others.
if (typeof window !== 'undefined') {
  window.addEventListener('storage', (e) => {
    if (e.key !== TOKEN_KEY) return
    if (e.newValue) authStore.set({ token: e.newValue, user: null })
    else authStore.set({ token: null, user: null })
  })
}
