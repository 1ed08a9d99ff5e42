import { useEffect, useState } from 'preact/hooks'
import { api, call } from '../api/client'
import { formatNumber } from '../format'
import { t } from '../i18n'

/** The unit's open flags in a campaign, as a badge ("Cần xác minh (2)"), or nothing. */
export function QualityBadge({ campaign, unit }: { campaign: string; unit: string }) {
  const [n, setN] = useState(0)
  useEffect(() => {
    let stale = false
    call(api.GET('/api/v1/data-quality', { params: { query: { campaign, unit, state: 'open', limit: 1 } } })).then((r) => {
      if (!stale && r.data) setN(r.data.count)
    })
    return () => {
      stale = true
    }
  }, [campaign, unit])
  return n > 0 ? <span class="badge badge-warn quality-badge">{t('quality.badge_n', { n: formatNumber(n) })}</span> : null
}
