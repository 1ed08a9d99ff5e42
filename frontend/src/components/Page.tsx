import type { ComponentChildren } from 'preact'
import { useEffect, useRef } from 'preact/hooks'
import { t } from '../i18n'

let firstPage = true

/** Page frame: sets the document title and moves focus to the heading after in-app navigation. */
export function Page({ title, children }: { title: string; children?: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null)
  useEffect(() => {
    document.title = `${title} · ${t('app.name')}`
  }, [title])
  useEffect(() => {
    if (firstPage) firstPage = false
    else heading.current?.focus()
  }, [])
  return (
    <section class="page">
      <h1 ref={heading} tabIndex={-1}>
        {title}
      </h1>
      {children}
    </section>
  )
}

export function Placeholder() {
  return <p class="muted">{t('common.placeholder')}</p>
}
