// Code-split pages: the manager and admin pages load only when someone opens them.
import type { ComponentType } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { ErrorBox } from './ErrorBox'
import { Loading } from './Loading'
import { t } from '../i18n'

type Loader<P> = () => Promise<ComponentType<P>>

export function lazyPage<P extends object>(load: Loader<P>): ComponentType<P> {
  let cached: ComponentType<P> | null = null
  return function LazyPage(props: P) {
    const [Comp, setComp] = useState<ComponentType<P> | null>(() => cached)
    const [failed, setFailed] = useState(false)
    useEffect(() => {
      if (Comp) return
      load()
        .then((c) => {
          cached = c
          setComp(() => c)
        })
        .catch(() => setFailed(true))
    }, [])
    if (failed) return <ErrorBox error={t('error.chunk')} onRetry={() => window.location.reload()} />
    return Comp ? <Comp {...props} /> : <Loading />
  }
}
