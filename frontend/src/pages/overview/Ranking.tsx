import { useState } from 'preact/hooks'
import type { TargetProgress } from '../../api/types'
import { StatusBadge } from '../../components/StatusBadge'
import { formatFraction, formatNumber } from '../../format'
import { t } from '../../i18n'
import { Link } from '../../router'

const FIRST = 10

/** "2024-W35" → "tuần 35" / "week 35", for the middle of a sentence. */
function shortWeekName(week: string): string {
  return `${t('week.label').toLowerCase()} ${Number(week.slice(-2))}`
}

/** Child units of the subtree ranked by their ratio for one target, with bars and status colours. */
export function Ranking({ targets }: { targets: TargetProgress[] }) {
  const [code, setCode] = useState(targets[0]?.code ?? '')
  const [all, setAll] = useState(false)
  const target = targets.find((x) => x.code === code) ?? targets[0]
  if (!target) return null
  // The server sends them ranked, units without figures last.
  const rows = target.children
  const shown = all ? rows : rows.slice(0, FIRST)
  return (
    <section class="card ranking-card" aria-labelledby="ranking-title">
      <div class="card-head">
        <h2 id="ranking-title">{t('ranking.title')}</h2>
        {targets.length > 1 && (
          <div class="field inline-field">
            <label for="ranking-target">{t('campaign.target')}</label>
            <select id="ranking-target" value={target.code} onChange={(e) => setCode(e.currentTarget.value)}>
              {targets.map((x) => (
                <option key={x.code} value={x.code}>
                  {x.name}
                </option>
              ))}
            </select>
          </div>
        )}
      </div>
      {rows.length === 0 ? (
        <p class="muted">{t('ranking.empty')}</p>
      ) : (
        <ol class="ranking">
          {shown.map((c) => {
            const pct = c.ratio === null ? 0 : Math.min(100, c.ratio * 100)
            return (
              <li key={c.unit_id} class={`rank-row tone-${c.status}`}>
                <span class="rank-no">{c.rank ?? '—'}</span>
                <span class="rank-name">
                  <Link href={`/units/${encodeURIComponent(c.unit)}`}>{c.unit_name}</Link>
                  {c.stale && <span class="muted small"> · {t('ranking.stale', { week: c.last_period ? shortWeekName(c.last_period) : '—' })}</span>}
                </span>
                <span class="rank-bar" aria-hidden="true">
                  <span style={{ width: `${pct}%` }} />
                </span>
                <span class="rank-value">
                  {formatFraction(c.ratio)}
                  <span class="muted small"> ({formatNumber(c.numerator)}/{formatNumber(c.denominator)})</span>
                </span>
                <StatusBadge status={c.status} />
              </li>
            )
          })}
        </ol>
      )}
      {rows.length > FIRST && (
        <button type="button" class="btn" aria-expanded={all} onClick={() => setAll(!all)}>
          {all ? t('common.show_less') : t('common.show_all', { n: rows.length })}
        </button>
      )}
    </section>
  )
}
