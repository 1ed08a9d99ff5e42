import { api, call } from '../api/client'
import type { CampaignPublic } from '../api/types'
import { useAuth } from '../auth'
import { CampaignPicker, WithCampaign } from '../campaign'
import { ErrorBox } from '../components/ErrorBox'
import { Loading } from '../components/Loading'
import { Page } from '../components/Page'
import { daysUntil, formatDate, formatDateTime, formatWeek } from '../format'
import { useApi } from '../hooks'
import { getLang, t } from '../i18n'
import { currentPeriod } from '../period'
import { hasRole } from '../roles'
import { useLocation } from '../router'
import { Chase } from './overview/Chase'
import { Completeness } from './overview/Completeness'
import { MyReports } from './overview/MyReports'
import { Ranking } from './overview/Ranking'
import { TargetCard } from './overview/TargetCard'

export function OverviewPage() {
  return (
    <Page title={t('nav.overview')}>
      <CampaignPicker />
      <WithCampaign>{(c) => <Overview campaign={c} />}</WithCampaign>
    </Page>
  )
}

function Overview({ campaign }: { campaign: CampaignPublic }) {
  const { user } = useAuth()
  const { search } = useLocation()
  const under = new URLSearchParams(search).get('under')
  const period = currentPeriod(campaign)
  const reporterUnits = user?.roles.filter((r) => r.role === 'reporter') ?? []
  const manager = hasRole(user, 'manager')
  return (
    <div class={manager ? 'overview-manager' : undefined}>
      {manager && <Chase campaign={campaign.code} under={under} />}
      {reporterUnits.length > 0 && <MyReports campaign={campaign} period={period} grants={reporterUnits} />}
      <Targets campaign={campaign.code} under={under} period={period} ended={daysUntil(campaign.end_date) < 0 ? campaign.end_date : null} />
      <Completeness campaign={campaign.code} under={under} period={period} canRemind={manager} />
    </div>
  )
}

function Targets({ campaign, under, period, ended }: { campaign: string; under: string | null; period: string; ended: string | null }) {
  const progress = useApi(
    () => call(api.GET('/api/v1/progress', { params: { query: { campaign, under, period } } })),
    [campaign, under, period],
  )
  const series = useApi(
    () => call(api.GET('/api/v1/progress/series', { params: { query: { campaign, under } } })),
    [campaign, under],
  )
  const lang = getLang()
  if (progress.loading && !progress.data) return <Loading />
  if (progress.error) {
    return (
      <section class="card">
        <h2>{t('campaign.progress')}</h2>
        <ErrorBox error={progress.error} onRetry={progress.reload} />
      </section>
    )
  }
  const p = progress.data
  if (!p) return null
  const points = (id: number) => series.data?.targets.find((s) => s.target_id === id)?.points
  return (
    <>
      <section class="targets" aria-labelledby="targets-title">
        <h2 id="targets-title" class="section-title">
          {t('overview.targets', { unit: p.under.name })}
          <span class="muted small">
            {' '}
            {formatWeek(p.period, lang)} ·{' '}
            {ended ? t('overview.ended', { date: formatDate(ended) }) : t('overview.as_of', { time: formatDateTime(p.as_of) })}
          </span>
        </h2>
        {p.targets.length === 0 && <p class="muted">{t('overview.no_targets')}</p>}
        <div class="target-grid">
          {p.targets.map((tp) => (
            <TargetCard key={tp.target_id} target={tp} points={points(tp.target_id)} />
          ))}
        </div>
        {series.error && <ErrorBox error={series.error} onRetry={series.reload} />}
      </section>
      <Ranking targets={p.targets} />
    </>
  )
}
