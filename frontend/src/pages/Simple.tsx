// Placeholder pages: title only, filled in later.
import { Page, Placeholder } from '../components/Page'
import { t } from '../i18n'
import { Link } from '../router'

export function UnitPage({ id }: { id: string }) {
  return (
    <Page title={`${t('common.unit')} #${id}`}>
      <Placeholder />
    </Page>
  )
}

export function ManagePage() {
  return (
    <Page title={t('nav.manage')}>
      <Placeholder />
    </Page>
  )
}

export function AdminPage() {
  return (
    <Page title={t('nav.admin')}>
      <Placeholder />
    </Page>
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
