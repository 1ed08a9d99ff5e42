import { Page } from '../../components/Page'
import { t, type MessageKey } from '../../i18n'
import { Link } from '../../router'
import { Reminders } from './Reminders'
import { Reorg } from './Reorg'
import { Targets } from './Targets'
import { Tokens } from './Tokens'
import { UnitTree } from './UnitTree'
import { Users } from './Users'

const SECTIONS: { id: string; key: MessageKey; render: () => preact.ComponentChildren }[] = [
  { id: 'units', key: 'admin.units', render: () => <UnitTree /> },
  { id: 'users', key: 'admin.users', render: () => <Users /> },
  { id: 'tokens', key: 'admin.tokens', render: () => <Tokens /> },
  { id: 'targets', key: 'admin.targets', render: () => <Targets /> },
  { id: 'reminders', key: 'admin.reminders', render: () => <Reminders /> },
  { id: 'reorg', key: 'admin.reorg', render: () => <Reorg /> },
]

export function AdminPage({ section }: { section?: string }) {
  const current = SECTIONS.find((s) => s.id === section) ?? SECTIONS[0]
  return (
    <Page title={`${t('nav.admin')}: ${t(current.key)}`}>
      <nav class="subnav" aria-label={t('nav.admin')}>
        <ul>
          {SECTIONS.map((s) => (
            <li key={s.id}>
              <Link href={`/admin/${s.id}`} aria-current={s === current ? 'page' : undefined}>
                {t(s.key)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {current.render()}
    </Page>
  )
}
