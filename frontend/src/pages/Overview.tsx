import { Chart } from '../components/Chart'
import { Page, Placeholder } from '../components/Page'
import { ProgressBar } from '../components/ProgressBar'
import { StatusBadge } from '../components/StatusBadge'
import { countdownText, formatDateTime, isoWeek, weekDueAt } from '../format'
import { getLang, t } from '../i18n'

// Sample data only: shows the building blocks until the overview API exists.
const SAMPLE_WEEKS = [
  { label: 'W25', value: 420 },
  { label: 'W26', value: 910 },
  { label: 'W27', value: 1480 },
  { label: 'W28', value: 1990 },
  { label: 'W29', value: 2460 },
  { label: 'W30', value: 2850 },
]

export function OverviewPage() {
  const week = isoWeek()
  const due = weekDueAt(week)
  return (
    <Page title={t('nav.overview')}>
      <Placeholder />
      <div class="card">
        <h2>{t('week.current')}: {week}</h2>
        <p>
          {t('deadline.weekly')}: <strong>{formatDateTime(due)}</strong> ({countdownText(due, new Date(), getLang())})
        </p>
      </div>
      <div class="card">
        <h2>
          {t('campaign.progress')} <span class="muted">({t('common.sample_data')})</span>
        </h2>
        <ProgressBar value={2850} max={3000} label={`${t('campaign.progress')} (${t('common.sample_data')})`} />
        <p class="badges">
          {(['on_time', 'late', 'missing', 'submitted', 'approved', 'returned'] as const).map((s) => (
            <StatusBadge key={s} status={s} />
          ))}
        </p>
        <p class="badges">
          <span>{t('forecast.title')}:</span>
          {(['met', 'on_track', 'at_risk', 'behind'] as const).map((s) => (
            <StatusBadge key={s} status={s} />
          ))}
        </p>
        <Chart
          data={SAMPLE_WEEKS}
          kind="line"
          target={3000}
          title={`${t('chart.weekly')} (${t('common.sample_data')})`}
        />
      </div>
    </Page>
  )
}
