import type { SeriesPoint, TargetProgress } from '../../api/types'
import { Chart } from '../../components/Chart'
import { ProgressBar } from '../../components/ProgressBar'
import { StatusBadge } from '../../components/StatusBadge'
import { daysLeftText, formatDate, formatDateTime, formatFraction, formatNumber, shortWeek } from '../../format'
import { getLang, t } from '../../i18n'

function Deadline({ label, day, status }: { label: string; day: string | null; status?: string | null }) {
  if (!day) return null
  return (
    <div>
      <dt>{label}</dt>
      <dd>
        {formatDate(day)} · <span class="countdown">{daysLeftText(day, new Date(), getLang())}</span>{' '}
        {status && <StatusBadge status={status} />}
      </dd>
    </div>
  )
}

/** One target: bar, ratio, still to go, deadlines with countdowns, forecast, official count. */
export function TargetCard({ target, points }: { target: TargetProgress; points?: SeriesPoint[] }) {
  const lang = getLang()
  const tp = target
  return (
    <article class="card target-card" aria-labelledby={`target-${tp.target_id}`}>
      <div class="card-head">
        <h3 id={`target-${tp.target_id}`}>{tp.name}</h3>
        <StatusBadge status={tp.status} />
      </div>
      <p class="big-ratio">
        {formatFraction(tp.ratio)} <span class="muted">/ {t('target.goal')} {formatFraction(tp.goal_ratio, 0)}</span>
      </p>
      <ProgressBar value={tp.numerator} max={tp.denominator} label={`${t('campaign.progress')}: ${tp.name}`} />
      <dl class="facts">
        <div>
          <dt>{t('campaign.remaining')}</dt>
          <dd>
            <strong>{formatNumber(tp.remaining)}</strong>
          </dd>
        </div>
        <Deadline label={t('deadline.district')} day={tp.deadline} status={null} />
        <Deadline label={t('deadline.city')} day={tp.upstream_deadline} status={tp.upstream_status} />
        <div>
          <dt>{t('forecast.title')}</dt>
          <dd>
            {tp.forecast_date
              ? t('target.forecast_date', { date: formatDate(tp.forecast_date) })
              : tp.status !== 'met' && (tp.weekly_pace ?? 0) > 0
                ? t('target.not_reached') // the server gives no date beyond the campaign's end
                : t('target.no_forecast')}
            {tp.weekly_pace !== null && <> · {t('target.pace', { n: formatNumber(tp.weekly_pace, 0) })}</>}
          </dd>
        </div>
        {tp.official && (
          <div>
            <dt>{t('target.official')}</dt>
            <dd>
              {t('target.official_line', {
                date: formatDate(tp.official.observed_at).slice(0, 5),
                week: Number(tp.official.period.slice(-2)),
                value: formatNumber(tp.official.value),
                reported: formatNumber(tp.official.reported),
              })}
              {' · '}
              {t('target.gap')} {tp.official.gap > 0 ? '+' : ''}
              {formatNumber(tp.official.gap)} <span class="muted small">({tp.official.source}, {formatDateTime(tp.official.observed_at)})</span>
            </dd>
          </div>
        )}
      </dl>
      <p class="muted small">
        {t('target.units', {
          counted: formatNumber(tp.units_counted),
          expected: formatNumber(tp.units_expected),
          stale: formatNumber(tp.units_stale),
          missing: formatNumber(tp.units_missing),
        })}
      </p>
      {points && points.length > 0 && (
        <Chart
          kind="line"
          title={`${t('chart.weekly_ratio')}: ${tp.name}`}
          target={tp.goal_ratio * 100}
          percent
          data={points.map((p) => ({ label: shortWeek(p.period, lang), value: (p.ratio ?? 0) * 100 }))}
        />
      )}
    </article>
  )
}
