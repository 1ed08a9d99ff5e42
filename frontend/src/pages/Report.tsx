import { useState } from 'preact/hooks'
import { api, call } from '../api/client'
import type { ApiResult } from '../api/errors'
import type { CampaignPublic, UnitPublic } from '../api/types'
import { useAuth } from '../auth'
import { CampaignPicker, WithCampaign } from '../campaign'
import { ErrorBox } from '../components/ErrorBox'
import { Loading } from '../components/Loading'
import { Page } from '../components/Page'
import { useApi } from '../hooks'
import { getLang, t } from '../i18n'
import { currentPeriod, inCampaign, openWeeks } from '../period'
import { grantsWith } from '../roles'
import { formatWeek } from '../format'
import { navigate, useLocation } from '../router'
import { OutboxPanel } from '../offline/Outbox'
import { ReportForm } from './ReportForm'

export function ReportPage() {
  return (
    <Page title={t('nav.report')}>
      <OutboxPanel />
      <CampaignPicker />
      <WithCampaign>{(c) => <ChooseUnit campaign={c} />}</WithCampaign>
    </Page>
  )
}

/** The units the user may report for in this campaign: their subtrees' units that have metrics. */
function useReportingUnits(campaign: CampaignPublic) {
  const { user } = useAuth()
  const grants = grantsWith(user, 'reporter')
  const kinds = new Set(campaign.metrics.filter((m) => !m.is_baseline).flatMap((m) => m.unit_kinds))
  return useApi(async (): Promise<ApiResult<UnitPublic[]>> => {
    const pages = await Promise.all(
      grants.map((g) => call(api.GET('/api/v1/units', { params: { query: { under: g.unit, active: true, limit: 500 } } }))),
    )
    const failed = pages.find((p) => p.error)
    if (failed?.error) return { error: failed.error }
    const seen = new Map<number, UnitPublic>()
    for (const p of pages) for (const u of p.data?.data ?? []) if (kinds.has(u.kind)) seen.set(u.id, u)
    // The units the roles are held on come first, then the others by name.
    const own = new Set(grants.map((g) => g.unit))
    const list = [...seen.values()].sort(
      (a, b) => Number(own.has(b.code)) - Number(own.has(a.code)) || a.name.localeCompare(b.name, 'vi'),
    )
    return { data: list }
  }, [campaign.code, grants.map((g) => g.unit).join(',')])
}

// Reporting for many units (a district office on behalf of 140): a search narrows the list.
const SEARCH_FROM = 12

function matching(list: UnitPublic[], filter: string, current: UnitPublic): UnitPublic[] {
  const q = filter.trim().toLocaleLowerCase('vi')
  if (!q) return list
  return list.filter((u) => u === current || u.name.toLocaleLowerCase('vi').includes(q) || u.code.toLowerCase().includes(q))
}

function ChooseUnit({ campaign }: { campaign: CampaignPublic }) {
  const { search } = useLocation()
  const units = useReportingUnits(campaign)
  const params = new URLSearchParams(search)
  const wanted = params.get('unit')
  const list = units.data ?? []
  const unit = list.find((u) => u.code === wanted) ?? list[0]
  // The chosen unit's own weeks only: a province's office may report for thousands of units.
  const due = useApi(
    unit ? () => call(api.GET('/api/v1/due', { params: { query: { campaign: campaign.code, unit: unit.code, limit: 500 } } })) : null,
    [campaign.code, unit?.code],
  )
  const [filter, setFilter] = useState('')
  if (units.loading) return <Loading />
  if (units.error) return <ErrorBox error={units.error} onRetry={units.reload} />
  if (list.length === 0) return <p class="notice">{t('report.no_units')}</p>
  // Any week still open, the one due (this week) by default; a past week is sent late.
  const weeks = openWeeks(campaign)
  const current = currentPeriod(campaign)
  const asked = params.get('week')
  const period = asked && weeks.includes(asked) ? asked : weeks.includes(current) ? current : weeks[0]
  const go = (code: string, week: string | undefined) =>
    navigate(`/report?unit=${encodeURIComponent(code)}${week && week !== current ? `&week=${encodeURIComponent(week)}` : ''}`, { replace: true })
  const state = (week: string) => due.data?.data.find((d) => d.unit === unit.code && d.period === week)?.status
  const lang = getLang()
  const label = (week: string) => {
    const s = state(week)
    const note =
      s === 'overdue' ? t('report.week_overdue') : s === 'due' ? t('report.week_due') : s === 'on_time' || s === 'late' || s === 'submitted' ? t('report.week_sent') : ''
    return note ? `${formatWeek(week, lang)} — ${note}` : formatWeek(week, lang)
  }
  return (
    <>
      {list.length > SEARCH_FROM && (
        <div class="field">
          <label for="report-unit-search">{t('tree.search')}</label>
          <input id="report-unit-search" type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
        </div>
      )}
      <div class="toolbar">
        {list.length > 1 && (
          <div class="field">
            <label for="report-unit">{t('report.unit')}</label>
            <select id="report-unit" value={unit.code} onChange={(e) => go(e.currentTarget.value, period)}>
              {matching(list, filter, unit).map((u) => (
                <option key={u.code} value={u.code}>
                  {u.name}
                </option>
              ))}
            </select>
          </div>
        )}
        {weeks.length > 1 && (
          <div class="field">
            <label for="report-week">{t('report.period')}</label>
            <select id="report-week" value={period} onChange={(e) => go(unit.code, e.currentTarget.value)}>
              {weeks.map((w) => (
                <option key={w} value={w}>
                  {label(w)}
                </option>
              ))}
            </select>
          </div>
        )}
      </div>
      {period === undefined ? (
        <p class="notice">{t('report.no_open_week')}</p>
      ) : inCampaign(campaign, period) ? (
        <ReportForm key={`${campaign.code}/${unit.code}/${period}`} campaign={campaign} unit={unit} period={period} />
      ) : (
        <p class="notice">{t('report.no_period', { week: formatWeek(currentPeriod(campaign), getLang()) })}</p>
      )}
    </>
  )
}
