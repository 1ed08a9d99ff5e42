import { useState } from 'preact/hooks'
import { api, call, type ApiError } from '../../api/client'
import type { components } from '../../api/schema'
import { ErrorBox } from '../../components/ErrorBox'
import { Field } from '../../components/Field'
import { parseVnDate } from '../../format'
import { t } from '../../i18n'

type Create = components['schemas']['ReorganizationCreate']
type Result = components['schemas']['ReorganizationPublic']
type Change = Create['changes'][number]

/** Lines "old, new, new name, kind, parent, share" (the .xlsx template's columns) → changes:
 * an old unit on one line without a share merges whole into its new unit; on several lines
 * (with shares) it is split. The server checks everything. */
export function changesOf(text: string): { changes: Change[]; bad?: number } {
  const byOld = new Map<string, string[][]>()
  const lines = text.split('\n').map((l) => l.split(/[,;\t]/).map((c) => c.trim()))
  for (const [i, cells] of lines.entries()) {
    if (cells.every((c) => !c)) continue
    if (!cells[0] || !cells[1]) return { changes: [], bad: i + 1 }
    byOld.set(cells[0], [...(byOld.get(cells[0]) ?? []), cells])
  }
  const to = (c: string[], share: boolean) => ({
    code: c[1], name: c[2] || null, kind: (c[3] || null) as never, parent: c[4] || null,
    share: share ? Number((c[5] || '1').replace(',', '.')) : null,
  })
  const changes: Change[] = []
  for (const [old, rows] of byOld) {
    const split = rows.length > 1 || (rows[0][5] && Number(rows[0][5].replace(',', '.')) < 1)
    changes.push(split
      ? { kind: 'split', from: [old], to: rows.map((r) => to(r, true)), roles_to: null }
      : { kind: 'merge', from: [old], to: [to(rows[0], false)], roles_to: rows[0][1] })
  }
  return { changes }
}

export function Reorg() {
  const [date, setDate] = useState('')
  const [note, setNote] = useState('')
  const [rows, setRows] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)
  const [preview, setPreview] = useState<{ input: string; result: Result } | null>(null)
  const [done, setDone] = useState<Result | null>(null)
  const input = JSON.stringify([date, note, rows])

  const send = async (dryRun: boolean) => {
    setError(null)
    const day = parseVnDate(date)
    if (!day) return setError({ code: 'client', message: t('reorg.bad_date'), field: 'effective_date', details: [] })
    const { changes, bad } = changesOf(rows)
    if (bad) return setError({ code: 'client', message: t('reorg.bad_row', { n: bad }), field: 'changes', details: [] })
    setBusy(true)
    const r = await call(api.POST('/api/v1/reorganizations', {
      params: { query: { dry_run: dryRun } }, body: { effective_date: day, note, changes } }))
    setBusy(false)
    if (r.error) return setError(r.error)
    if (dryRun) setPreview({ input, result: r.data as Result })
    else { setDone(r.data as Result); setPreview(null) }
  }
  const shown = done ?? preview?.result
  return (
    <section aria-labelledby="reorg-title">
      <h2 id="reorg-title">{t('admin.reorg')}</h2>
      <p class="muted">{t('reorg.intro')}</p>
      <form onSubmit={(e) => { e.preventDefault(); void send(true) }}>
        <Field id="reorg-date" label={t('reorg.effective_date')} inputMode="numeric" placeholder="dd/mm/yyyy"
          value={date} onInput={(e) => setDate(e.currentTarget.value)} />
        <Field id="reorg-note" label={t('reorg.note')} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
        <label for="reorg-rows">{t('reorg.rows')}</label>
        <textarea id="reorg-rows" rows={8} value={rows} onInput={(e) => setRows(e.currentTarget.value)} />
        <ErrorBox error={error} />
        <div class="row-actions">
          <button type="submit" class="btn" disabled={busy}>{t('reorg.dry_run')}</button>
          <button type="button" class="btn btn-primary" disabled={busy || preview?.input !== input}
            onClick={() => void send(false)}>{t('reorg.apply')}</button>
        </div>
      </form>
      {shown && (
        <div role="status">
          <h3>{done ? t('reorg.applied') : t('reorg.preview')}</h3>
          <ul>
            <li>{t('reorg.opened', { list: shown.units_opened.map((u) => `${u.name} (${u.code})`).join(', ') })}</li>
            <li>{t('reorg.closed', { list: shown.units_closed.map((u) => `${u.name} (${u.code})`).join(', ') })}</li>
            <li>{t('reorg.carried', { list: shown.carried.map((c) => `${c.unit} ${c.campaign} ${c.period}: ${Object.entries(c.values).map(([k, v]) => `${k} ${v}`).join(', ')}`).join('; ') })}</li>
            <li>{t('reorg.access', { list: shown.access.map((a) => `${a.holder} ${a.from_unit} → ${a.to_unit ?? '×'}`).join(', ') })}</li>
          </ul>
        </div>
      )}
    </section>
  )
}
