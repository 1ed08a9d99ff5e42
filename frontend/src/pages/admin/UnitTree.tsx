import { useState } from 'preact/hooks'
import { api, call, type ApiError } from '../../api/client'
import type { UnitKind, UnitPublic } from '../../api/types'
import { useAuth } from '../../auth'
import { ErrorBox } from '../../components/ErrorBox'
import { Field } from '../../components/Field'
import { Lineage } from '../../components/Lineage'
import { Loading } from '../../components/Loading'
import { UnitPicker } from '../../components/UnitPicker'
import { formatDate, formatNumber, parseVnDate, vnParts } from '../../format'
import { useApi } from '../../hooks'
import { t, type MessageKey } from '../../i18n'
import { grantsWith } from '../../roles'
import { Link } from '../../router'
import { createStore, useStore } from '../../store'
import { ImportPanel } from './ImportPanel'

// Which kinds may sit under which (the backend's ALLOWED_PARENTS, read the other way).
const CHILD_KINDS: Record<string, UnitKind[]> = {
  city: ['district', 'commune', 'agency', 'public_service', 'party', 'mass_org'],
  district: ['commune', 'agency', 'public_service', 'school', 'party', 'mass_org'],
  commune: ['village', 'school'],
  agency: ['public_service', 'school'],
}
const KINDS: UnitKind[] = ['city', 'district', 'commune', 'agency', 'public_service', 'school', 'party', 'mass_org', 'village']
const PAGE = 100
/** Bumped after every change: open nodes load their children again. */
const treeVersion = createStore(0)
const changed = () => treeVersion.set(treeVersion.get() + 1)

export function todayVn(): string {
  const p = vnParts(new Date())
  return `${String(p.day).padStart(2, '0')}/${String(p.month).padStart(2, '0')}/${p.year}`
}

/** The admin's subtree, loaded one level at a time, with a search by name or code. */
export function UnitTree() {
  const { user } = useAuth()
  const roots = grantsWith(user, 'admin').map((g) => g.unit)
  const [q, setQ] = useState('')
  const version = useStore(treeVersion)
  const query = q.trim()
  const found = useApi(
    query.length >= 2 && roots[0]
      ? () => call(api.GET('/api/v1/units', { params: { query: { q: query, under: roots[0], limit: 50 } } }))
      : null,
    [query, roots[0], version],
  )
  return (
    <>
      <section class="card" aria-labelledby="tree-title">
        <h2 id="tree-title">{t('admin.units')}</h2>
        <div class="field">
          <label for="tree-search">{t('tree.search')}</label>
          <input id="tree-search" type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        </div>
        {query.length >= 2 ? (
          <>
            {found.loading && <Loading />}
            <ErrorBox error={found.error} onRetry={found.reload} />
            {found.data && (
              <>
                <p class="muted">{t('tree.results', { n: formatNumber(found.data.count) })}</p>
                <ul class="tree" aria-label={t('tree.results', { n: found.data.count })}>
                  {found.data.data.map((u) => (
                    <Node key={u.id} unit={u} leaf />
                  ))}
                </ul>
              </>
            )}
          </>
        ) : (
          <ul class="tree">
            {roots.map((code) => (
              <Root key={code} code={code} />
            ))}
          </ul>
        )}
      </section>
      <ImportPanel kind="units" />
    </>
  )
}

function Root({ code }: { code: string }) {
  const version = useStore(treeVersion)
  const res = useApi(() => call(api.GET('/api/v1/units/{unit}', { params: { path: { unit: code } } })), [code, version])
  if (!res.data) return res.error ? <ErrorBox error={res.error} onRetry={res.reload} /> : <Loading />
  return <Node unit={res.data} open />
}

function Children({ unit }: { unit: UnitPublic }) {
  const version = useStore(treeVersion)
  const [limit, setLimit] = useState(PAGE)
  const res = useApi(
    () => call(api.GET('/api/v1/units', { params: { query: { parent: String(unit.id), limit } } })),
    [unit.id, limit, version],
  )
  if (!res.data) return res.error ? <ErrorBox error={res.error} onRetry={res.reload} /> : <Loading />
  const kids = [...res.data.data].sort((a, b) => Number(b.active) - Number(a.active) || a.name.localeCompare(b.name, 'vi'))
  return (
    <ul>
      {kids.map((k) => (
        <Node key={k.id} unit={k} />
      ))}
      {res.data.count > kids.length && (
        <li>
          <button type="button" class="btn btn-small" onClick={() => setLimit((n) => n + PAGE)}>
            {t('tree.more', { n: formatNumber(res.data.count - kids.length) })}
          </button>
        </li>
      )}
    </ul>
  )
}

type Mode = 'view' | 'edit' | 'add' | 'close' | 'contact'

function Node({ unit, open, leaf }: { unit: UnitPublic; open?: boolean; leaf?: boolean }) {
  const [expanded, setExpanded] = useState(!!open)
  const [mode, setMode] = useState<Mode>('view')
  const [message, setMessage] = useState<string | null>(null)
  const [error, setError] = useState<ApiError | null>(null)
  const canHaveChildren = (CHILD_KINDS[unit.kind] ?? []).length > 0
  const done = (text: string) => {
    setMode('view')
    setMessage(text)
    changed()
  }
  const reopen = async (e: Event) => {
    e.preventDefault() // a button inside <summary> would also fold the node
    setExpanded(true)
    setError(null)
    const r = await call(api.PATCH('/api/v1/units/{unit}', { params: { path: { unit: unit.code } }, body: { active: true } }))
    if (r.error) return setError(r.error)
    done(t('tree.reopened', { name: unit.name }))
  }
  const toggle = (m: Mode) => (e: Event) => {
    e.preventDefault() // a button inside <summary> would also fold the node
    setMessage(null)
    setMode(mode === m ? 'view' : m)
    setExpanded(true) // the form shows right under the node's line
  }
  const label = (
    <>
      <Link href={`/units/${encodeURIComponent(unit.code)}`}>{unit.name}</Link>{' '}
      <span class="muted small">
        {t(`kind.${unit.kind}` as MessageKey)} · {unit.code}
        {unit.opened_on && ` · ${t('tree.opened', { date: formatDate(unit.opened_on) })}`}
        {unit.closed_on && ` · ${t('tree.closed', { date: formatDate(unit.closed_on) })}`}
        {!unit.active && !unit.closed_on && ` · ${t('unit.inactive')}`}
        <Lineage unit={unit} />
        {unit.contact?.name && ` · ${t('tree.contact')}: ${unit.contact.name}${unit.contact.phone ? ` (${unit.contact.phone})` : ''}`}
      </span>
    </>
  )
  const actions = (
    <span class="tree-actions">
      <button type="button" class="btn btn-small" aria-label={t('tree.edit_of', { name: unit.name })} onClick={toggle('edit')}>
        {t('tree.edit')}
      </button>
      <button type="button" class="btn btn-small" aria-label={t('tree.contact_of', { name: unit.name })} onClick={toggle('contact')}>
        {t('tree.contact')}
      </button>
      {canHaveChildren && unit.active && (
        <button type="button" class="btn btn-small" aria-label={t('tree.add_child_of', { name: unit.name })} onClick={toggle('add')}>
          {t('tree.add_child')}
        </button>
      )}
      {unit.active ? (
        unit.depth > 0 && (
          <button type="button" class="btn btn-small" aria-label={t('tree.close_of', { name: unit.name })} onClick={toggle('close')}>
            {t('tree.close')}
          </button>
        )
      ) : (
        <button type="button" class="btn btn-small" aria-label={t('tree.reopen_of', { name: unit.name })} onClick={reopen}>
          {t('tree.reopen')}
        </button>
      )}
    </span>
  )
  const panel = (
    <>
      {mode === 'edit' && <EditUnit unit={unit} onDone={() => done(t('tree.saved'))} onCancel={() => setMode('view')} />}
      {mode === 'add' && <AddUnit parent={unit} onDone={(name) => { setExpanded(true); done(t('tree.created', { name })) }} onCancel={() => setMode('view')} />}
      {mode === 'close' && <CloseUnit unit={unit} onDone={(date) => done(t('tree.closed_done', { name: unit.name, date }))} onCancel={() => setMode('view')} />}
      {mode === 'contact' && <EditContact unit={unit} onDone={() => done(t('tree.saved'))} onCancel={() => setMode('view')} />}
      <ErrorBox error={error} />
      {message && (
        <p class="success" role="status">
          {message}
        </p>
      )}
    </>
  )
  if (!canHaveChildren || leaf) {
    return (
      <li data-unit={unit.code}>
        {label}
        {actions}
        {panel}
      </li>
    )
  }
  return (
    <li data-unit={unit.code}>
      <details open={expanded} onToggle={(e) => setExpanded((e.currentTarget as HTMLDetailsElement).open)}>
        <summary>
          {label}
          {actions}
        </summary>
        {panel}
        {expanded && <Children unit={unit} />}
      </details>
    </li>
  )
}

function useForm() {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)
  const fieldError = (f: string) => (error?.field === f || error?.field?.startsWith(`${f}.`) ? error.message : null)
  const run = async <T,>(request: Promise<{ data?: T; error?: ApiError }>, ok: (data: T) => void) => {
    setBusy(true)
    setError(null)
    const r = await request
    setBusy(false)
    if (r.error) return setError(r.error)
    ok(r.data as T)
  }
  return { busy, error, setError, fieldError, run }
}

function Buttons({ busy, onCancel }: { busy: boolean; onCancel: () => void }) {
  return (
    <div class="row-actions">
      <button type="submit" class="btn btn-primary btn-small" disabled={busy}>
        {t('common.save')}
      </button>
      <button type="button" class="btn btn-small" onClick={onCancel}>
        {t('common.cancel')}
      </button>
    </div>
  )
}

function KindSelect({ id, value, kinds, onChange }: { id: string; value: string; kinds: UnitKind[]; onChange: (k: UnitKind) => void }) {
  return (
    <div class="field">
      <label for={id}>{t('tree.kind')}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value as UnitKind)}>
        {kinds.map((k) => (
          <option key={k} value={k}>
            {t(`kind.${k}` as MessageKey)}
          </option>
        ))}
      </select>
    </div>
  )
}

function EditUnit({ unit, onDone, onCancel }: { unit: UnitPublic; onDone: () => void; onCancel: () => void }) {
  const [name, setName] = useState(unit.name)
  const [kind, setKind] = useState<UnitKind>(unit.kind as UnitKind)
  const [headName, setHeadName] = useState(unit.head_name ?? '')
  const [headTitle, setHeadTitle] = useState(unit.head_title ?? '')
  const [parent, setParent] = useState('')
  const f = useForm()
  const id = `edit-${unit.id}`
  const submit = (e: Event) => {
    e.preventDefault()
    const body: Record<string, string> = {}
    if (name !== unit.name) body.name = name
    if (kind !== unit.kind) body.kind = kind
    if (headName !== (unit.head_name ?? '')) body.head_name = headName
    if (headTitle !== (unit.head_title ?? '')) body.head_title = headTitle
    if (parent) body.parent = parent
    f.run(call(api.PATCH('/api/v1/units/{unit}', { params: { path: { unit: unit.code } }, body })), onDone)
  }
  return (
    <form class="inline-card" onSubmit={submit} aria-label={t('tree.edit_of', { name: unit.name })}>
      <Field id={`${id}-name`} label={t('tree.name')} required value={name} error={f.fieldError('name')} onInput={(e) => setName(e.currentTarget.value)} />
      <KindSelect id={`${id}-kind`} value={kind} kinds={KINDS} onChange={setKind} />
      <Field id={`${id}-head`} label={t('tree.head_name')} value={headName} onInput={(e) => setHeadName(e.currentTarget.value)} />
      <Field id={`${id}-head-title`} label={t('tree.head_title')} value={headTitle} onInput={(e) => setHeadTitle(e.currentTarget.value)} />
      {unit.depth > 0 && <UnitPicker id={`${id}-parent`} label={t('tree.parent')} value={parent} onChange={setParent} error={f.fieldError('parent')} />}
      <ErrorBox error={f.error && !['name', 'parent'].includes(f.error.field ?? '') ? f.error : null} />
      <Buttons busy={f.busy} onCancel={onCancel} />
    </form>
  )
}

function AddUnit({ parent, onDone, onCancel }: { parent: UnitPublic; onDone: (name: string) => void; onCancel: () => void }) {
  const kinds = CHILD_KINDS[parent.kind] ?? []
  const [code, setCode] = useState(`${parent.code}-`)
  const [name, setName] = useState('')
  const [kind, setKind] = useState<UnitKind>(kinds[0])
  const [opened, setOpened] = useState('')
  const f = useForm()
  const id = `add-${parent.id}`
  const submit = (e: Event) => {
    e.preventDefault()
    const openedOn = opened.trim() ? parseVnDate(opened) : null
    if (opened.trim() && !openedOn) return f.setError({ code: 'client', message: t('tree.bad_date'), field: 'opened_on', details: [] })
    f.run(
      call(api.POST('/api/v1/units', { body: { code: code.trim(), name, kind, parent: parent.code, opened_on: openedOn } })),
      () => onDone(name),
    )
  }
  return (
    <form class="inline-card" onSubmit={submit} aria-label={t('tree.add_child_of', { name: parent.name })}>
      <Field id={`${id}-code`} label={t('tree.code')} required autocapitalize="characters" value={code} error={f.fieldError('code')}
        onInput={(e) => setCode(e.currentTarget.value)} />
      <Field id={`${id}-name`} label={t('tree.name')} required value={name} error={f.fieldError('name')} onInput={(e) => setName(e.currentTarget.value)} />
      <KindSelect id={`${id}-kind`} value={kind} kinds={kinds} onChange={setKind} />
      <Field id={`${id}-opened`} label={t('tree.opened_on')} inputMode="numeric" placeholder="dd/mm/yyyy" hint={t('tree.opened_hint')}
        value={opened} error={f.fieldError('opened_on')} onInput={(e) => setOpened(e.currentTarget.value)} />
      <ErrorBox error={f.error && !['code', 'name', 'opened_on'].includes(f.error.field ?? '') ? f.error : null} />
      <Buttons busy={f.busy} onCancel={onCancel} />
    </form>
  )
}

function CloseUnit({ unit, onDone, onCancel }: { unit: UnitPublic; onDone: (date: string) => void; onCancel: () => void }) {
  const [date, setDate] = useState(todayVn())
  const f = useForm()
  const submit = (e: Event) => {
    e.preventDefault()
    const closedOn = parseVnDate(date)
    if (!closedOn) return f.setError({ code: 'client', message: t('tree.bad_date'), field: 'closed_on', details: [] })
    f.run(
      call(api.POST('/api/v1/units/{unit}/deactivate', { params: { path: { unit: unit.code } }, body: { closed_on: closedOn } })),
      () => onDone(formatDate(closedOn)),
    )
  }
  return (
    <form class="inline-card" onSubmit={submit} aria-label={t('tree.close_of', { name: unit.name })}>
      <Field id={`close-${unit.id}`} label={t('tree.close_on')} inputMode="numeric" required hint={t('tree.close_hint')}
        value={date} error={f.fieldError('closed_on')} onInput={(e) => setDate(e.currentTarget.value)} />
      <ErrorBox error={f.error && f.error.field !== 'closed_on' ? f.error : null} />
      <div class="row-actions">
        <button type="submit" class="btn btn-primary btn-small" disabled={f.busy}>
          {t('tree.close')}
        </button>
        <button type="button" class="btn btn-small" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  )
}

const CONTACT_FIELDS = [
  ['name', 'contact.name', 'text'],
  ['title', 'contact.title', 'text'],
  ['phone', 'contact.phone', 'tel'],
  ['email', 'contact.email', 'email'],
  ['zalo_phone', 'contact.zalo', 'tel'],
] as const

function EditContact({ unit, onDone, onCancel }: { unit: UnitPublic; onDone: () => void; onCancel: () => void }) {
  const c = unit.contact
  const [values, setValues] = useState<Record<string, string>>({
    name: c?.name ?? '', title: c?.title ?? '', phone: c?.phone ?? '', email: c?.email ?? '', zalo_phone: c?.zalo_phone ?? '',
  })
  const f = useForm()
  const submit = (e: Event) => {
    e.preventDefault()
    const body = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.trim() || null]))
    f.run(call(api.PUT('/api/v1/units/{unit}/contact', { params: { path: { unit: unit.code } }, body })), onDone)
  }
  return (
    <form class="inline-card" onSubmit={submit} aria-label={t('tree.contact_of', { name: unit.name })}>
      {CONTACT_FIELDS.map(([key, label, type]) => (
        <Field key={key} id={`contact-${unit.id}-${key}`} label={t(label)} type={type} value={values[key]} error={f.fieldError(key)}
          onInput={(e) => setValues({ ...values, [key]: e.currentTarget.value })} />
      ))}
      <ErrorBox error={f.error && !CONTACT_FIELDS.some(([k]) => k === f.error?.field) ? f.error : null} />
      <Buttons busy={f.busy} onCancel={onCancel} />
    </form>
  )
}
