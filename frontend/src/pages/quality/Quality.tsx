import { useEffect, useState } from 'preact/hooks'
import { api, call, type ApiError } from '../../api/client'
import type { CampaignPublic, FlagPublic } from '../../api/types'
import { CampaignPicker, WithCampaign } from '../../campaign'
import { ErrorBox } from '../../components/ErrorBox'
import { Loading } from '../../components/Loading'
import { Page } from '../../components/Page'
import { formatDateTime, formatNumber, formatWeek } from '../../format'
import { getLang, t, type MessageKey } from '../../i18n'
import { campaignWeeks, currentPeriod } from '../../period'
import { Link } from '../../router'
import { Rules } from './Rules'

/** "Chất lượng số liệu": the week's flags for managers, each marked reviewed with a note. */
export function QualityPage() {
  return (
    <Page title={t('quality.title')}>
      <CampaignPicker />
      <WithCampaign>
        {(c) => (
          <>
            <Quality key={c.code} campaign={c} />
            <Rules key={`rules-${c.code}`} campaign={c} />
          </>
        )}
      </WithCampaign>
    </Page>
  )
}

function Quality({ campaign }: { campaign: CampaignPublic }) {
  const lang = getLang()
  const [period, setPeriod] = useState(currentPeriod(campaign))
  const [all, setAll] = useState(false)
  const [flags, setFlags] = useState<FlagPublic[] | null>(null)
  const [error, setError] = useState<ApiError | null>(null)
  const [version, setVersion] = useState(0)

  useEffect(() => {
    let stale = false
    setFlags(null)
    setError(null)
    const list = async () => {
      const r = await call(api.GET('/api/v1/data-quality', {
        params: { query: { campaign: campaign.code, period, state: all ? undefined : 'open', limit: 500 } },
      }))
      if (stale) return
      if (r.error) setError(r.error)
      else setFlags(r.data.data)
    }
    ;(async () => {
      // The stored flags at once, then the week's checks (idempotent; on a province or the
      // nation they take a while) and the list again if they found anything new.
      await list()
      const scan = await call(api.POST('/api/v1/data-quality/scan', { body: { campaign: campaign.code, period } }))
      if (stale) return
      // A manager below the campaign's owner cannot run the checks: the stored flags still show.
      if (scan.error && scan.error.code !== 'forbidden') return setError(scan.error)
      if (scan.data && scan.data.raised + scan.data.changed + scan.data.cleared > 0) await list()
    })()
    return () => {
      stale = true
    }
  }, [campaign.code, period, all, version])

  return (
    <>
      <p class="hint">{t('quality.intro')}</p>
      <div class="toolbar">
        <div class="field">
          <label for="quality-period">{t('quality.week')}</label>
          <select id="quality-period" value={period} onChange={(e) => setPeriod(e.currentTarget.value)}>
            {campaignWeeks(campaign).reverse().map((w) => (
              <option key={w} value={w}>
                {formatWeek(w, lang)}
              </option>
            ))}
          </select>
        </div>
        <label class="check">
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.currentTarget.checked)} /> {t('quality.show_reviewed')}
        </label>
      </div>
      <ErrorBox error={error} onRetry={() => setVersion((v) => v + 1)} />
      {!flags && !error && <Loading />}
      {flags && flags.length === 0 && <p class="success">{t('quality.none')}</p>}
      {flags && flags.length > 0 && (
        <>
          <p>{t('quality.count', { n: formatNumber(flags.filter((f) => f.state === 'open').length) })}</p>
          <ul class="quality-list">
            {flags.map((f) => (
              <Flag key={f.id} flag={f} onReviewed={(x) => setFlags(flags.map((o) => (o.id === x.id ? x : o)))} />
            ))}
          </ul>
        </>
      )}
    </>
  )
}

function Flag({ flag: f, onReviewed }: { flag: FlagPublic; onReviewed: (f: FlagPublic) => void }) {
  const [note, setNote] = useState('')
  const [error, setError] = useState<ApiError | null>(null)
  const [busy, setBusy] = useState(false)
  const review = async (e: Event) => {
    e.preventDefault()
    if (!note.trim()) return
    setBusy(true)
    const r = await call(api.POST('/api/v1/data-quality/{flag_id}/review', { params: { path: { flag_id: f.id } }, body: { note } }))
    setBusy(false)
    if (r.error) setError(r.error)
    else onReviewed(r.data)
  }
  return (
    <li class="card quality-flag" data-state={f.state}>
      <div>
        <Link href={`/units/${encodeURIComponent(f.unit)}`}>{f.unit_name}</Link>{' '}
        <span class={f.severity === 'blocking' ? 'badge badge-bad' : 'badge badge-warn'}>{t(`quality.kind.${f.kind}` as MessageKey)}</span>
      </div>
      <p>{f.message}</p>
      {f.state === 'reviewed' ? (
        <p class="small muted">{t('quality.reviewed_by', { name: f.reviewed_by_name ?? '', time: f.reviewed_at ? formatDateTime(f.reviewed_at) : '', note: f.note })}</p>
      ) : (
        <form class="quality-review" onSubmit={review}>
          <label for={`note-${f.id}`}>{t('quality.note')}</label>
          <input id={`note-${f.id}`} value={note} maxLength={2000} onInput={(e) => setNote(e.currentTarget.value)} />
          <button type="submit" class="btn" disabled={busy || !note.trim()}>
            {t('quality.review')}
          </button>
          <ErrorBox error={error} />
        </form>
      )}
    </li>
  )
}
