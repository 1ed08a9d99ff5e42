// The campaign every page works on: loaded once, chosen with a picker. Default: the campaign
// whose dates contain today, else the one that started last.
import { useEffect } from 'preact/hooks'
import { api, call, type ApiError } from './api/client'
import type { CampaignPublic } from './api/types'
import { ErrorBox } from './components/ErrorBox'
import { Loading } from './components/Loading'
import { formatDate, toDate, vnParts } from './format'
import { t } from './i18n'
import { createStore, useStore } from './store'

interface CampaignState {
  list: CampaignPublic[] | null
  selected: string | null
  error: ApiError | null
  loading: boolean
}

export const campaignStore = createStore<CampaignState>({ list: null, selected: null, error: null, loading: false })

function todayKey(now: Date = new Date()): string {
  const p = vnParts(now)
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`
}

export function defaultCampaign(list: CampaignPublic[], now: Date = new Date()): CampaignPublic | null {
  const today = todayKey(now)
  const running = list.filter((c) => c.start_date <= today && today <= c.end_date)
  const pool = running.length ? running : list
  return [...pool].sort((a, b) => b.start_date.localeCompare(a.start_date))[0] ?? null
}

export async function loadCampaigns(): Promise<void> {
  const s = campaignStore.get()
  if (s.loading) return
  campaignStore.set({ ...s, loading: true, error: null })
  const r = await call(api.GET('/api/v1/campaigns', { params: { query: { limit: 500 } } }))
  const cur = campaignStore.get()
  if (r.error) {
    campaignStore.set({ ...cur, loading: false, error: r.error })
    return
  }
  const list = r.data.data
  const keep = list.some((c) => c.code === cur.selected) ? cur.selected : null
  campaignStore.set({
    list,
    selected: keep ?? defaultCampaign(list)?.code ?? null,
    error: null,
    loading: false,
  })
}

export function selectCampaign(code: string): void {
  campaignStore.set({ ...campaignStore.get(), selected: code })
}

/** Forget the list (log-out: another user may see other campaigns). */
export function resetCampaigns(): void {
  campaignStore.set({ list: null, selected: null, error: null, loading: false })
}

/** The selected campaign (loading the list on first use). */
export function useCampaign(): CampaignState & { campaign: CampaignPublic | null } {
  const state = useStore(campaignStore)
  useEffect(() => {
    if (state.list === null && !state.loading && !state.error) void loadCampaigns()
  }, [state.list, state.loading, state.error])
  const campaign = state.list?.find((c) => c.code === state.selected) ?? null
  return { ...state, campaign }
}

export function CampaignPicker() {
  const { list, selected, campaign } = useCampaign()
  if (!list || list.length === 0) return null
  return (
    <div class="field campaign-picker">
      <label for="campaign-select">{t('campaign.title')}</label>
      <select id="campaign-select" value={selected ?? ''} onChange={(e) => selectCampaign(e.currentTarget.value)}>
        {list.map((c) => (
          <option key={c.code} value={c.code}>
            {c.name}
          </option>
        ))}
      </select>
      {campaign && (
        <p class="hint">
          {formatDate(campaign.start_date)} – {formatDate(campaign.end_date)}
        </p>
      )}
    </div>
  )
}

/** Renders `children(campaign)` once a campaign is chosen; loading and error states otherwise. */
export function WithCampaign({ children }: { children: (c: CampaignPublic) => preact.ComponentChildren }) {
  const { campaign, error, list } = useCampaign()
  if (error) return <ErrorBox error={error} onRetry={() => void loadCampaigns()} />
  if (!list) return <Loading />
  if (!campaign) return <p class="notice">{t('campaign.none')}</p>
  return <>{children(campaign)}</>
}

/** Is `now` within the campaign's dates? */
export function isRunning(c: CampaignPublic, now: Date = new Date()): boolean {
  const today = todayKey(toDate(now))
  return c.start_date <= today && today <= c.end_date
}

// Opened offline: load the list once the network is back.
if (typeof window !== 'undefined') {
  window.addEventListener('online', () => {
    if (campaignStore.get().error) void loadCampaigns()
  })
}
