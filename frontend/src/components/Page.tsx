import type { ComponentChildren } from 'preact'
import { useEffect, useRef } from 'preact/hooks'
import { t } from '../i18n'
import { Link } from '../router'

let firstPage = true

/** Page frame: sets the document title and moves focus to the heading after in-app navigation. */
export function Page({ title, children, actions }: { title: string; children?: ComponentChildren; actions?: ComponentChildren }) {
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
      <div class="page-head">
        <h1 ref={heading} tabIndex={-1}>
          {title}
        </h1>
        {actions}
      </div>
      {children}
    </section>
  )
}

export function NotFoundPage() {
  return (
    <Page title={t('notfound.title')}>
      <p>
        <Link href="/">{t('notfound.back')}</Link>
      </p>
    </Page>
  )
}

/** The signed-in user's roles do not include this page. */
export function Forbidden() {
  return (
    <Page title={t('forbidden.title')}>
      <p class="notice">{t('forbidden.text')}</p>
      <p>
        <Link href="/">{t('notfound.back')}</Link>
      </p>
    </Page>
  )
}
