import { Page, Placeholder } from '../components/Page'
import { countdownText, formatDateTime, isOverdue, isoWeek, weekDueAt } from '../format'
import { getLang, t } from '../i18n'

export function ReportPage() {
  const week = isoWeek()
  const due = weekDueAt(week)
  return (
    <Page title={t('nav.report')}>
      <p>
        {t('week.label')} {week} · {t('deadline.weekly')}: <strong>{formatDateTime(due)}</strong>{' '}
        <span class={isOverdue(due) ? 'text-bad' : undefined}>({countdownText(due, new Date(), getLang())})</span>
      </p>
      <p class="muted">{t('report.due_hint')}</p>
      <Placeholder />
    </Page>
  )
}
