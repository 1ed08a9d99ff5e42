import { api, call } from '../../api/client'
import type { CampaignPublic, RolePublic } from '../../api/types'
import { ErrorBox } from '../../components/ErrorBox'
import { Loading } from '../../components/Loading'
import { StatusBadge } from '../../components/StatusBadge'
import { countdownText, formatDateTime, formatWeek, isOverdue } from '../../format'
import { useApi } from '../../hooks'
import { getLang, t } from '../../i18n'
import { dueAt } from '../../period'
import { Link } from '../../router'

/** A reporter's own units: has this week's report been sent, when, and how it stands. */
export function MyReports({ campaign, period, grants }: { campaign: CampaignPublic; period: string; grants: RolePublic[] }) {
  const due = dueAt(campaign, period)
  const lang = getLang()
  return (
    <section class="card" aria-labelledby="my-reports-title">
      <h2 id="my-reports-title">
        {t('myreports.title')} <span class="muted small">{formatWeek(period, lang)}</span>
      </h2>
      <p>
        {t('deadline.weekly')}: <strong>{formatDateTime(due)}</strong>
        {!isOverdue(due) && ` (${countdownText(due, new Date(), lang)})`}
      </p>
      <ul class="unit-list">
        {grants.map((g) => (
          <MyUnit key={g.unit} campaign={campaign.code} period={period} grant={g} due={due} />
        ))}
      </ul>
    </section>
  )
}

function MyUnit({ campaign, period, grant, due }: { campaign: string; period: string; grant: RolePublic; due: Date }) {
  const res = useApi(
    () => call(api.GET('/api/v1/reports', { params: { query: { campaign, unit: grant.unit, period, limit: 1 } } })),
    [campaign, period, grant.unit],
  )
  const report = res.data?.data[0]
  const formLink = `/report?unit=${encodeURIComponent(grant.unit)}`
  return (
    <li>
      <span class="unit-list-name">
        <Link href={`/units/${encodeURIComponent(grant.unit)}`}>{grant.unit_name}</Link>
      </span>
      {res.loading && <Loading />}
      {res.error && <ErrorBox error={res.error} onRetry={res.reload} />}
      {res.data &&
        (report ? (
          <>
            <span>{t('myreports.sent_at', { time: formatDateTime(report.received_at) })}</span>
            <StatusBadge status={report.timeliness} />
            <StatusBadge status={report.status} />
            <Link class="btn" href={formLink}>
              {t('myreports.open')}
            </Link>
          </>
        ) : (
          <>
            {/* Same words as the completeness list: before the deadline, not yet due. */}
            <StatusBadge status={isOverdue(due) ? 'missing' : 'pending'} />
            {isOverdue(due) && <span class="text-bad">{countdownText(due, new Date(), getLang())}</span>}
            <Link class="btn btn-primary" href={formLink}>
              {t('report.submit')}
            </Link>
          </>
        ))}
    </li>
  )
}
