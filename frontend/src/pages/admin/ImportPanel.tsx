import { useState } from 'preact/hooks'
import { api, call, type ApiError } from '../../api/client'
import { download, formData } from '../../api/files'
import type { components } from '../../api/schema'
import { ErrorBox } from '../../components/ErrorBox'
import { t } from '../../i18n'

type Summary = components['schemas']['DirectoryImportSummary']
const FILE = { Accept: '*/*' }

function template(kind: 'units' | 'users') {
  const name = kind === 'units' ? 'mau-nhap-don-vi.xlsx' : 'mau-nhap-nguoi-dung.xlsx'
  return kind === 'units'
    ? download(api.GET('/api/v1/directory/units/template', { headers: FILE, parseAs: 'blob' }), name)
    : download(api.GET('/api/v1/directory/users/template', { headers: FILE, parseAs: 'blob' }), name)
}

function send(kind: 'units' | 'users', file: File, dryRun: boolean) {
  // openapi-typescript writes a binary field as `string`; the File goes into the FormData as is.
  const body = { file: file as unknown as string, dry_run: dryRun }
  return kind === 'units'
    ? call(api.POST('/api/v1/directory/units/import', { body, bodySerializer: formData }))
    : call(api.POST('/api/v1/directory/users/import', { body, bodySerializer: formData }))
}

/** Template download, upload with a dry run, and the summary with its rejected rows. */
export function ImportPanel({ kind, onImported }: { kind: 'units' | 'users'; onImported?: () => void }) {
  const [file, setFile] = useState<File | null>(null)
  const [dryRun, setDryRun] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)
  const [summary, setSummary] = useState<Summary | null>(null)
  const title = t(kind === 'units' ? 'dimport.units' : 'dimport.users')
  const id = `import-${kind}`
  const submit = async (e: Event) => {
    e.preventDefault()
    if (!file) return
    setBusy(true)
    setError(null)
    setSummary(null)
    const r = await send(kind, file, dryRun)
    setBusy(false)
    if (r.error) return setError(r.error)
    setSummary(r.data)
    if (!r.data.dry_run) onImported?.()
  }
  return (
    <form class="card" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      <p class="hint">{t('dimport.rules')}</p>
      <button type="button" class="btn" onClick={async () => setError((await template(kind)).error ?? null)}>
        {t('dimport.template')}
      </button>
      <div class="field">
        <label for={`${id}-file`}>{t('dimport.file')}</label>
        <input id={`${id}-file`} type="file" required accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
      </div>
      <div class="check">
        <input id={`${id}-dry`} type="checkbox" checked={dryRun} onChange={(e) => setDryRun(e.currentTarget.checked)} />
        <label for={`${id}-dry`}>{t('dimport.dry_run')}</label>
      </div>
      <button type="submit" class="btn btn-primary" disabled={busy || !file}>
        {t('dimport.send')}
      </button>
      <ErrorBox error={error} />
      {summary && <SummaryView summary={summary} id={id} />}
    </form>
  )
}

function SummaryView({ summary, id }: { summary: Summary; id: string }) {
  return (
    <div role="status" aria-labelledby={`${id}-result`}>
      <h3 id={`${id}-result`}>{summary.dry_run ? t('dimport.checked') : t('dimport.done')}</h3>
      <p>{t('dimport.summary', { created: summary.created, updated: summary.updated, skipped: summary.skipped, rejected: summary.rejected })}</p>
      {summary.conflicts.length > 0 && (
        <table class="import-table">
          <thead>
            <tr>
              <th scope="col">{t('dimport.row')}</th>
              <th scope="col">{t('dimport.key')}</th>
              <th scope="col">{t('dimport.field')}</th>
              <th scope="col">{t('dimport.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {summary.conflicts.map((c) => (
              <tr key={c.row}>
                <td>{c.row}</td>
                <td>{c.key}</td>
                <td>{c.field}</td>
                <td>{c.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {(summary.passwords ?? []).length > 0 && (
        <section aria-labelledby={`${id}-passwords`}>
          <h3 id={`${id}-passwords`}>{t('dimport.passwords')}</h3>
          <p class="hint">{t('dimport.passwords_hint')}</p>
          <table class="import-table">
            <tbody>
              {(summary.passwords ?? []).map((p) => (
                <tr key={p.username}>
                  <th scope="row">{p.username}</th>
                  <td>
                    <code>{p.password}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </div>
  )
}
