import { api, call } from '../../api/client'
import type { UnitPublic } from '../../api/types'
import { useAuth } from '../../auth'
import { ErrorBox } from '../../components/ErrorBox'
import { Loading } from '../../components/Loading'
import { formatNumber } from '../../format'
import { useApi } from '../../hooks'
import { t, type MessageKey } from '../../i18n'
import { grantsWith } from '../../roles'
import { Link } from '../../router'

/** The admin's subtree as a tree (up to 500 units), each node linking to its unit page. */
export function UnitTree() {
  const { user } = useAuth()
  const root = grantsWith(user, 'admin')[0]?.unit
  const res = useApi(
    root ? () => call(api.GET('/api/v1/units', { params: { query: { under: root, limit: 500 } } })) : null,
    [root],
  )
  if (res.loading) return <Loading />
  if (res.error) return <ErrorBox error={res.error} onRetry={res.reload} />
  const units = res.data?.data ?? []
  const children = new Map<number | null, UnitPublic[]>()
  for (const u of units) children.set(u.parent_id, [...(children.get(u.parent_id) ?? []), u])
  const ids = new Set(units.map((u) => u.id))
  const tops = units.filter((u) => u.parent_id === null || !ids.has(u.parent_id))
  return (
    <section class="card">
      <p class="muted">
        {t('admin.units_count', { n: formatNumber(res.data?.count ?? 0) })}
        {(res.data?.count ?? 0) > units.length && ` ${t('admin.units_truncated', { n: units.length })}`}
      </p>
      <ul class="tree">
        {tops.map((u) => (
          <Node key={u.id} unit={u} children={children} open />
        ))}
      </ul>
    </section>
  )
}

function Node({ unit, children, open }: { unit: UnitPublic; children: Map<number | null, UnitPublic[]>; open?: boolean }) {
  const kids = children.get(unit.id) ?? []
  const label = (
    <>
      <Link href={`/units/${encodeURIComponent(unit.code)}`}>{unit.name}</Link>{' '}
      <span class="muted small">
        {t(`kind.${unit.kind}` as MessageKey)} · {unit.code}
        {!unit.active && ` · ${t('unit.inactive')}`}
      </span>
    </>
  )
  if (kids.length === 0) return <li>{label}</li>
  return (
    <li>
      <details open={open}>
        <summary>
          {label} <span class="muted small">({kids.length})</span>
        </summary>
        <ul>
          {kids.map((k) => (
            <Node key={k.id} unit={k} children={children} />
          ))}
        </ul>
      </details>
    </li>
  )
}
