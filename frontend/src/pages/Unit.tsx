import { useEffect, useState } from 'preact/hooks'
import { api, call } from '../api/client'
import type { CampaignPublic, ReportPublic, UnitPublic } from '../api/types'
import { useAuth } from '../auth'
import { CampaignPicker, WithCampaign } from '../campaign'
import { Chart } from '../components/Chart'
import { Lineage } from '../components/Lineage'
import { ErrorBox } from '../components/ErrorBox'
import { Loading } from '../components/Loading'
import { Page } from '../components/Page'
import { QualityBadge } from '../components/QualityBadge'
import { StatusBadge } from '../components/StatusBadge'
import { formatDateTime, formatNumber, formatWeek, isOverdue, shortWeek, weekRange } from '../format'
import { useApi } from '../hooks'
import { getLang, t, type MessageKey } from '../i18n'
import { campaignWeeks, dueAt } from '../period'
import { reportableMetrics, targetsFor } from '../reportRules'
import { hasRole } from '../roles'
import { Link, navigate } from '../router'
import { UnitChannels, UnitReminders } from './UnitReminders'

/** /units: the unit the user's first role is held on. */
export function MyUnitRedirect() {
  const { user } = useAuth()
  const code = user?.roles[0]?.unit
  useEffect(() => {
    if (code) navigate(`/units/${encodeURIComponent(code)}`, { replace: true })
  }, [code])
  return <Loading />
}

export function UnitPage({ code }: { code: string }) {
  const { user } = useAuth()
  const unit = useApi(() => call(api.GET('/api/v1/units/{unit}', { params: { path: { unit: code } } })), [code])
  const u = unit.data
  return (
    <Page title={u ? u.name : t('common.unit')}>
      {unit.loading && <Loading />}
      <ErrorBox error={unit.error} />
      {u && (
        <>
          <p class="muted">
            {t(`kind.${u.kind}` as MessageKey)} · {t('unit.code')} {u.code}
            {u.head_name && ` · ${u.head_title ?? t('unit.head')}: ${u.head_name}`}
            {!u.active && ` · ${t('unit.inactive')}`}
            <Lineage unit={u} />
          </p>
          <p>
            <Link href={`/?under=${encodeURIComponent(u.code)}`}>{t('unit.overview', { unit: u.name })}</Link>
          </p>
          <Children unit={u} />
          <CampaignPicker />
          <WithCampaign>{(c) => <UnitHistory campaign={c} unit={u} />}</WithCampaign>
          {hasRole(user, 'manager') && (
            <>
              <WithCampaign>{(c) => <UnitReminders campaign={c} unit={u} />}</WithCampaign>
              <UnitChannels unit={u} canEdit={hasRole(user, 'admin')} />
            </>
          )}
        </>
      )}
    </Page>
  )
}

function Children({ unit }: { unit: UnitPublic }) {
  const res = useApi(() => call(api.GET('/api/v1/units', { params: { query: { parent: unit.code, limit: 500 } } })), [unit.code])
  const rows = res.data?.data ?? []
  if (res.error) return <ErrorBox error={res.error} onRetry={res.reload} />
  if (rows.length === 0) return null
  return (
    <details class="card unit-group">
      <summary>{t('unit.children', { n: res.data?.count ?? rows.length })}</summary>
      <ul class="columns">
        {rows.map((c) => (
          <li key={c.id}>
            <Link href={`/units/${encodeURIComponent(c.code)}`}>{c.name}</Link>
          </li>
        ))}
      </ul>
    </details>
  )
}

function UnitHistory({ campaign, unit }: { campaign: CampaignPublic; unit: UnitPublic }) {
  const lang = getLang()
  const res = useApi(async () => {
    const [reports, targets, baselines] = await Promise.all([
      call(api.GET('/api/v1/reports', { params: { query: { campaign: campaign.code, unit: unit.code, limit: 200 } } })),
      call(api.GET('/api/v1/targets', { params: { query: { campaign: campaign.code, limit: 500 } } })),
      call(api.GET('/api/v1/baselines', { params: { query: { campaign: campaign.code, under: unit.code, limit: 50 } } })),
    ])
    if (reports.error) return { error: reports.error }
    if (targets.error) return { error: targets.error }
    const base = Object.fromEntries((baselines.data?.data ?? []).filter((b) => b.unit === unit.code).map((b) => [b.metric, b.value]))
    return { data: { reports: reports.data.data, targets: targets.data.data, base } }
  }, [campaign.code, unit.code])
  if (res.loading && !res.data) return <Loading />
  if (res.error) return <ErrorBox error={res.error} onRetry={res.reload} />
  if (!res.data) return null
  const { reports, targets, base } = res.data
  const metrics = reportableMetrics(campaign.metrics, unit.kind)
  if (metrics.length === 0) return <p class="notice">{t('unit.not_reporting')}</p>
  const ascending = [...reports].sort((a, b) => a.period.localeCompare(b.period))
  return (
    <>
      <QualityBadge campaign={campaign.code} unit={unit.code} />
      <Record campaign={campaign} reports={reports} />
      <div class="chart-cards">
      {targetsFor(targets, unit).map((tg) => {
        const points = ascending.map((r) => {
          const den = r.values[tg.denominator] ?? base[tg.denominator]
          const num = r.values[tg.numerator]
          return { label: shortWeek(r.period, lang), value: den && num !== undefined ? (num / den) * 100 : 0 }
        })
        return points.length > 0 ? (
          <section class="card" key={tg.id}>
            <h2>{tg.name}</h2>
            <Chart kind="line" percent target={tg.goal_ratio * 100} title={`${t('chart.weekly_ratio')}: ${tg.name}`} data={points} />
          </section>
        ) : null
      })}
      </div>
      <section class="card" aria-labelledby="history-title">
        <h2 id="history-title">{t('unit.history')}</h2>
        {reports.length === 0 ? (
          <p class="muted">{t('unit.no_reports')}</p>
        ) : (
          <div class="table-wrap" tabIndex={0} role="region" aria-label={t('unit.history_table')}>
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">{t('week.label')}</th>
                  {metrics.map((m) => (
                    <th scope="col" key={m.code} class="num" title={m.name}>
                      {m.name}
                    </th>
                  ))}
                  <th scope="col">{t('unit.status')}</th>
                  <th scope="col">{t('unit.received')}</th>
                  <th scope="col">{t('unit.revisions')}</th>
                </tr>
              </thead>
              <tbody>
                {reports.map((r) => (
                  <HistoryRow key={r.id} report={r} codes={metrics.map((m) => m.code)} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  )
}

/** "Tuần 36" / "Week 36" */
function shortWeekName(week: string): string {
  return `${t('week.label')} ${Number(week.slice(-2))}`
}

function HistoryRow({ report, codes }: { report: ReportPublic; codes: string[] }) {
  const [open, setOpen] = useState(false)
  return (
    <>
      <tr>
        <th scope="row" class="nowrap">
          {shortWeekName(report.period)}
          <br />
          <span class="muted small">{weekRange(report.period)}</span>
        </th>
        {codes.map((c) => (
          <td key={c} class="num">
            {formatNumber(report.values[c])}
          </td>
        ))}
        <td>
          <span class="badges">
            <StatusBadge status={report.timeliness} />
            {report.status !== 'submitted' && <StatusBadge status={report.status} />}
          </span>
        </td>
        <td>
          {formatDateTime(report.received_at)}
          <br />
          <span class="muted small">{report.sender_name}</span>
        </td>
        <td>
          <button type="button" class="btn btn-small" aria-expanded={open} onClick={() => setOpen(!open)}>
            {t('unit.version', { v: report.version })}
          </button>
        </td>
      </tr>
      {open && (
        <tr>
          <td colSpan={codes.length + 4}>
            <Revisions id={report.id} codes={codes} />
          </td>
        </tr>
      )}
    </>
  )
}

function Revisions({ id, codes }: { id: number; codes: string[] }) {
  const res = useApi(() => call(api.GET('/api/v1/reports/{report_id}/revisions', { params: { path: { report_id: id }, query: { limit: 500 } } })), [id])
  if (res.loading) return <Loading />
  if (res.error) return <ErrorBox error={res.error} onRetry={res.reload} />
  return (
    <ol class="revisions">
      {(res.data?.data ?? []).map((rv) => (
        <li key={rv.version}>
          <strong>{t('unit.version', { v: rv.version })}</strong> · {formatDateTime(rv.changed_at)} · {rv.changed_by_name}
          <br />
          {codes.map((c) => `${c}: ${formatNumber(rv.values[c])}`).join(' · ')}
          {rv.note && <p class="muted">“{rv.note}”</p>}
        </li>
      ))}
    </ol>
  )
}

/** Week by week: on time, late, or missing once the deadline has passed. */
function Record({ campaign, reports }: { campaign: CampaignPublic; reports: ReportPublic[] }) {
  const lang = getLang()
  const byWeek = new Map(reports.map((r) => [r.period, r]))
  const weeks = campaignWeeks(campaign)
  const rows = weeks.map((w) => {
    const r = byWeek.get(w)
    return { week: w, status: r ? r.timeliness : isOverdue(dueAt(campaign, w)) ? 'missing' : 'pending' }
  })
  const count = (s: string) => rows.filter((r) => r.status === s).length
  return (
    <section class="card" aria-labelledby="record-title">
      <h2 id="record-title">{t('unit.record')}</h2>
      <p>
        {t('unit.record_text', { on_time: count('on_time'), late: count('late'), missing: count('missing'), weeks: weeks.length })}
      </p>
      <ul class="week-strip">
        {rows.map((r) => (
          <li key={r.week} title={formatWeek(r.week, lang)}>
            <span class="week-strip-label">{shortWeek(r.week, lang)}</span>
            <StatusBadge status={r.status} />
          </li>
        ))}
      </ul>
    </section>
  )
}
