import { useState } from 'preact/hooks'
import { api, call } from '../../api/client'
import type { ChaseArea, ChaseUnit, ChaseWeek } from '../../api/types'
import { ErrorBox } from '../../components/ErrorBox'
import { Loading } from '../../components/Loading'
import { StatusBadge } from '../../components/StatusBadge'
import { countdownText, formatDateTime, formatFraction, formatNumber, formatWeek } from '../../format'
import { useApi } from '../../hooks'
import { getLang, t } from '../../i18n'
import { Link } from '../../router'

/** "Cần đôn đốc": the first thing a manager sees, the units to call for the week(s) due; for a
 * province or the nation (thousands of units), the areas below it, worst first, each opening
 * the overview of that area with its own list. */
export function Chase({ campaign, under, version = 0 }: { campaign: string; under?: string | null; version?: number }) {
  const res = useApi(
    () => call(api.GET('/api/v1/chase', { params: { query: { campaign, under } } })),
    [campaign, under, version],
  )
  // Units with figures still to verify (open data-quality flags): a badge beside their name.
  const flagged = useApi(
    () => call(api.GET('/api/v1/data-quality', { params: { query: { campaign, under, state: 'open', limit: 500 } } })),
    [campaign, under, version],
  )
  const toVerify = new Set((flagged.data?.data ?? []).map((f) => f.unit))
  const data = res.data
  return (
    <section class="card chase" aria-labelledby="chase-title">
      <div class="chase-head">
        <h2 id="chase-title">{t('chase.title')}</h2>
        {data && data.message && <CopyMessage text={data.message} />}
      </div>
      {res.loading && !data && <Loading />}
      <ErrorBox error={res.error} onRetry={res.reload} />
      {data && data.weeks.map((w) => <Week key={w.period} week={w} toVerify={toVerify} />)}
    </section>
  )
}

function Week({ week, toVerify }: { week: ChaseWeek; toVerify: Set<string> }) {
  const lang = getLang()
  const units = week.groups.reduce((n, g) => n + g.units.length, 0)
  return (
    <div class="chase-week">
      <h3>
        {formatWeek(week.period, lang)}
        {week.locked && <span class="badge badge-neutral"> {t('lock.locked')}</span>}
      </h3>
      <p class="small">
        {t('deadline.weekly')}: <strong>{formatDateTime(week.due_at)}</strong> ({countdownText(week.due_at, new Date(), lang)})
        {' · '}
        {t('chase.summary', {
          reported: formatNumber(week.reported),
          expected: formatNumber(week.expected),
          not: formatNumber(week.not_reported),
          late: formatNumber(week.late),
          returned: formatNumber(week.returned),
        })}
      </p>
      {units === 0 && week.areas_count === 0 && <p class="success">{t('chase.none')}</p>}
      {week.areas_count > 0 && <Areas week={week} />}
      {week.groups.map((g) => (
        <div class="chase-group" key={g.key} role="group" aria-label={`${g.label} (${g.count})`}>
          <h4>
            {g.label} <span class="muted">({formatNumber(g.count)})</span>
          </h4>
          <ul class="chase-list">
            {g.units.map((u) => (
              <Row key={u.unit_id} unit={u} flagged={toVerify.has(u.unit)} />
            ))}
          </ul>
          {g.count > g.units.length && <p class="small muted">{t('chase.more', { n: formatNumber(g.count - g.units.length) })}</p>}
        </div>
      ))}
    </div>
  )
}

function Areas({ week }: { week: ChaseWeek }) {
  return (
    <div class="chase-group" role="group" aria-label={`${t('chase.areas')} (${week.areas_count})`}>
      <h4>
        {t('chase.areas')} <span class="muted">({formatNumber(week.areas_count)})</span>
      </h4>
      <p class="small muted no-print">{t('chase.areas_hint')}</p>
      <ul class="chase-list">
        {week.areas.map((a) => (
          <AreaRow key={a.unit_id} area={a} />
        ))}
      </ul>
      {week.areas_count > week.areas.length && <p class="small muted">{t('chase.more_areas', { n: formatNumber(week.areas_count - week.areas.length) })}</p>}
    </div>
  )
}

function AreaRow({ area: a }: { area: ChaseArea }) {
  return (
    <li>
      <div class="chase-name">
        <Link href={`/?under=${encodeURIComponent(a.unit)}`}>{a.unit_name}</Link>{' '}
        {a.not_reported > 0 && (
          <span class={`badge badge-${a.missing > 0 ? 'bad' : 'neutral'}`}>
            {t('chase.area_not', { n: formatNumber(a.not_reported), expected: formatNumber(a.expected) })}
          </span>
        )}
        <span class="muted small"> {t('chase.area_rate', { rate: formatFraction(a.reporting_rate) })}</span>
        {a.late > 0 && <span class="muted small"> · {t('chase.area_late', { n: formatNumber(a.late) })}</span>}
        {a.returned > 0 && <span class="muted small"> · {t('chase.area_returned', { n: formatNumber(a.returned) })}</span>}
      </div>
      <div class="chase-people small">
        <People who={a} />
      </div>
    </li>
  )
}

function Row({ unit: u, flagged }: { unit: ChaseUnit; flagged: boolean }) {
  return (
    <li>
      <div class="chase-name">
        <Link href={`/units/${encodeURIComponent(u.unit)}`}>{u.unit_name}</Link> <StatusBadge status={u.status} />
        {flagged && <span class="badge badge-warn quality-badge"> {t('quality.badge')}</span>}
        {u.ratio !== null && u.ratio !== undefined && <span class="muted small"> {t('chase.ratio', { ratio: formatFraction(u.ratio) })}</span>}
      </div>
      <div class="chase-people small">
        <People who={u} />
        <span class="muted">
          {u.last_report_at ? t('chase.last', { time: formatDateTime(u.last_report_at) }) : t('chase.never')}
        </span>
      </div>
    </li>
  )
}

/** Whom to call about a unit or an area: its head, its reporting contact, a tap-to-call link. */
function People({ who }: { who: ChaseUnit | ChaseArea }) {
  const c = who.contact
  return (
    <>
      {(who.head_name || who.head_title) && (
        <span>
          {who.head_title || t('chase.head')}: {who.head_name || '—'}
        </span>
      )}
      {c && (c.name || c.title) && (
        <span>
          {t('chase.contact')}: {[c.name, c.title].filter(Boolean).join(', ')}
        </span>
      )}
      {who.tel && who.phone && (
        <a class="chase-tel" href={who.tel}>
          {t('chase.call', { phone: who.phone })}
        </a>
      )}
    </>
  )
}

/** Copies the Zalo message (or opens the phone's share sheet, where there is one). */
function CopyMessage({ text }: { text: string }) {
  const [done, setDone] = useState<'copied' | 'shared' | 'failed' | null>(null)
  const phone = typeof matchMedia === 'function' && matchMedia('(pointer: coarse)').matches
  const copy = async () => {
    try {
      if (phone && typeof navigator.share === 'function') {
        await navigator.share({ text })
        setDone('shared')
        return
      }
      await navigator.clipboard.writeText(text)
      setDone('copied')
    } catch (e) {
      // A closed share sheet is not a failure; no clipboard: show the text to copy by hand.
      setDone(e instanceof DOMException && e.name === 'AbortError' ? null : 'failed')
    }
  }
  return (
    <div class="chase-copy no-print">
      <button type="button" class="btn btn-primary" onClick={copy}>
        {t('chase.copy')}
      </button>
      {done === 'copied' && <p class="success" role="status">{t('chase.copied')}</p>}
      {done === 'shared' && <p class="success" role="status">{t('chase.shared')}</p>}
      {done === 'failed' && (
        <label class="chase-fallback">
          {t('chase.copy_by_hand')}
          <textarea readOnly rows={4} value={text} />
        </label>
      )}
    </div>
  )
}
