// Loading state for one request: data, error, loading, and a way to run it again.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import type { ApiError, ApiResult } from './api/errors'

export interface Resource<T> {
  data: T | undefined
  error: ApiError | null
  loading: boolean
  reload: () => void
}

/** Runs `load` whenever `deps` change (skipped while `load` is null); stale answers are dropped. */
export function useApi<T>(load: (() => Promise<ApiResult<T>>) | null, deps: unknown[]): Resource<T> {
  const [state, setState] = useState<{ data?: T; error: ApiError | null; loading: boolean }>({
    error: null,
    loading: load !== null,
  })
  const [tick, setTick] = useState(0)
  const seq = useRef(0)
  useEffect(() => {
    if (!load) {
      setState({ error: null, loading: false })
      return
    }
    const mine = ++seq.current
    setState((s) => ({ ...s, loading: true, error: null }))
    load().then((r) => {
      if (mine !== seq.current) return
      setState(r.error ? { error: r.error, loading: false } : { data: r.data, error: null, loading: false })
    })
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick, load === null])
  const reload = useCallback(() => setTick((n) => n + 1), [])
  return { data: state.data, error: state.error, loading: state.loading, reload }
}
