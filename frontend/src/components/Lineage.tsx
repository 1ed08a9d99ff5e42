import type { UnitPublic } from '../api/types'
import { formatDate } from '../format'
import { t } from '../i18n'

type Link = UnitPublic['formed_from'][number]

function names(links: Link[]): string {
  return links.map((l) => (l.share < 1 ? `${l.name} (${Math.round(l.share * 1000) / 10} %)` : l.name)).join(', ')
}

/** "thành lập từ …" / "đã sáp nhập vào …": the unit's reorganisations, if any. */
export function Lineage({ unit }: { unit: Pick<UnitPublic, 'formed_from' | 'merged_into'> }) {
  const from = unit.formed_from ?? []
  const into = unit.merged_into ?? []
  if (!from.length && !into.length) return null
  return (
    <span class="lineage">
      {from.length > 0 && ` · ${t('reorg.formed_from', { units: names(from), date: formatDate(from[0].effective_date) })}`}
      {into.length > 0 && ` · ${t('reorg.merged_into', { units: names(into), date: formatDate(into[0].effective_date) })}`}
    </span>
  )
}
