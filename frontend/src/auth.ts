// Auth state: the bearer token (persisted under `tiendo.token`) and the
// current user as returned by GET /api/v1/auth/me (memory only).
import type { components } from './api/schema'
import { createStore, storage, useStore } from './store'

export const TOKEN_KEY = 'tiendo.token'

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
  authStore.set({ token, user })
}

export function setUser(user: CurrentUser | null): void {
  authStore.set({ ...authStore.get(), user })
}

/** Forget the token (log-out, or the server answered 401). */
export function clearSession(): void {
  storage.set(TOKEN_KEY, null)
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
