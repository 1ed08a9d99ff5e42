// A tiny History-API router: no hash, no dependency.
import type { ComponentChildren, JSX } from 'preact'
import { createStore, useStore } from './store'

export interface Location {
  path: string
  search: string
}

function readLocation(): Location {
  if (typeof window === 'undefined') return { path: '/', search: '' }
  return { path: window.location.pathname, search: window.location.search }
}

export const locationStore = createStore<Location>(readLocation())

if (typeof window !== 'undefined') {
  window.addEventListener('popstate', () => locationStore.set(readLocation()))
}

/** Go to an in-app URL ("/units/3?week=2024-W30"). */
export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const current = window.location.pathname + window.location.search
  if (to !== current) {
    if (opts.replace) window.history.replaceState(null, '', to)
    else window.history.pushState(null, '', to)
  }
  locationStore.set(readLocation())
}

export function useLocation(): Location {
  return useStore(locationStore)
}

export type Params = Record<string, string>

/**
 * Match "/units/:id" against "/units/42" → {id: "42"}; null when it does not match.
 * Trailing slashes are ignored; segments are URI-decoded.
 */
export function matchPath(pattern: string, path: string): Params | null {
  const split = (s: string) => s.split('/').filter(Boolean)
  const want = split(pattern)
  const got = split(path)
  if (want.length !== got.length) return null
  const params: Params = {}
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) {
      try {
        params[want[i].slice(1)] = decodeURIComponent(got[i])
      } catch {
        return null
      }
    } else if (want[i] !== got[i]) {
      return null
    }
  }
  return params
}

export interface Route {
  path: string
  render: (params: Params) => ComponentChildren
}

/** First matching route wins; `fallback` renders when none match. */
export function matchRoute(routes: Route[], path: string): { route: Route; params: Params } | null {
  for (const route of routes) {
    const params = matchPath(route.path, path)
    if (params) return { route, params }
  }
  return null
}

/** Only same-origin absolute paths are allowed as redirect targets. */
export function safeNext(next: string | null | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/'
}

type LinkProps = JSX.AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }

/** An <a> that navigates in-app on a plain left click and behaves normally otherwise. */
export function Link({ href, onClick, ...rest }: LinkProps) {
  const handle = (e: JSX.TargetedMouseEvent<HTMLAnchorElement>) => {
    if (typeof onClick === 'function') onClick(e)
    if (
      e.defaultPrevented ||
      e.button !== 0 ||
      e.metaKey ||
      e.ctrlKey ||
      e.shiftKey ||
      e.altKey ||
      e.currentTarget.target
    )
      return
    e.preventDefault()
    navigate(href)
  }
  return <a href={href} onClick={handle} {...rest} />
}
