import { useState } from 'preact/hooks'
import { api, call, type ApiError } from '../../api/client'
import { download, formData } from '../../api/files'
import type { ImportBody, ImportSummary } from '../../api/types'
import { ErrorBox } from '../../components/ErrorBox'
import { formatNumber, formatWeek } from '../../format'
import { getLang, t } from '../../i18n'

interface Props {
  campaign: string
  period: string
  under: string
  onImported: () => void
}

const FILE = { Accept: '*/*' }

const exportWeekly = (campaign: string, period: string, under: string) =>
  download(
    api.GET('/api/v1/exports/weekly-report.xlsx', { params: { query: { campaign, period, under } }, headers: FILE, parseAs: 'blob' }),
    `bao-cao-tuan-${campaign}-${period}.xlsx`,
  )

const exportLetter = (campaign: string, period: string, under: string) =>
  download(
    api.GET('/api/v1/exports/weekly-report.docx', { params: { query: { campaign, period, under } }, headers: FILE, parseAs: 'blob' }),
    `bao-cao-tuan-${campaign}-${period}.docx`,
  )

const importTemplate = (campaign: string, period: string, under: string) =>
  download(
    api.GET('/api/v1/reports/import-template', {
      params: { query: { campaign, period, under, format: 'xlsx' } },
      headers: FILE,
      parseAs: 'blob',
    }),
    `mau-nhap-${campaign}-${period}.xlsx`,
  )

function importFile(file: File, campaign: string, period: string, dryRun: boolean, update: boolean) {
  // openapi-typescript writes a binary field as `string`; the File goes into the FormData as is.
  const body: ImportBody = {
    file: file as unknown as string,
    campaign,
    period,
    dry_run: dryRun,
    atomic: false,
    strategy: update ? 'create_and_update' : 'create_only',
  }
  return call(api.POST('/api/v1/reports/import', { body, bodySerializer: formData }))
}

/** The weekly .xlsx for the city, and the spreadsheet import with its summary. */
export function Transfer({ campaign, period, under, onImported }: Props) {
  const week = formatWeek(period, getLang())
  return (
    <>
      <section class="card" aria-labelledby="export-title">
        <h2 id="export-title">{t('export.title')}</h2>
        <p class="hint">{t('export.explain', { week })}</p>
        <DownloadButton label={t('export.download')} run={() => exportWeekly(campaign, period, under)} />
        <DownloadButton label={t('export.download_docx')} run={() => exportLetter(campaign, period, under)} />
      </section>
      <Import campaign={campaign} period={period} under={under} onImported={onImported} />
    </>
  )
}

function DownloadButton({ label, run }: { label: string; run: () => Promise<{ data?: string; error?: ApiError }> }) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)
  const [saved, setSaved] = useState<string | null>(null)
  const click = async () => {
    setBusy(true)
    setError(null)
    setSaved(null)
    const r = await run()
    setBusy(false)
    if (r.error) setError(r.error)
    else setSaved(r.data ?? null)
  }
  return (
    <div>
      <button type="button" class="btn" disabled={busy} onClick={click}>
        {busy ? t('common.loading') : label}
      </button>
      <ErrorBox error={error} />
      {saved && (
        <p class="success" role="status">
          {t('export.saved', { name: saved })}
        </p>
      )}
    </div>
  )
}

function Import({ campaign, period, under, onImported }: Props) {
  const [file, setFile] = useState<File | null>(null)
  const [dryRun, setDryRun] = useState(true)
  const [update, setUpdate] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<ApiError | null>(null)
  const [summary, setSummary] = useState<ImportSummary | null>(null)
  const submit = async (e: Event) => {
    e.preventDefault()
    if (!file) {
      setError({ code: 'client', message: t('import.choose_file'), field: 'file', details: [] })
      return
    }
    setBusy(true)
    setError(null)
    setSummary(null)
    const r = await importFile(file, campaign, period, dryRun, update)
    setBusy(false)
    if (r.error) return setError(r.error)
    setSummary(r.data)
    if (!r.data.dry_run) onImported()
  }
  return (
    <section class="card" aria-labelledby="import-title">
      <h2 id="import-title">{t('import.title')}</h2>
      <p class="hint">{t('import.explain')}</p>
      <DownloadButton label={t('import.template')} run={() => importTemplate(campaign, period, under)} />
      <form onSubmit={submit} class="import-form">
        <div class="field">
          <label for="import-file">{t('import.file')}</label>
          <input id="import-file" type="file" accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
        </div>
        <div class="check">
          <input id="import-dry" type="checkbox" checked={dryRun} onChange={(e) => setDryRun(e.currentTarget.checked)} />
          <label for="import-dry">{t('import.dry_run')}</label>
        </div>
        <div class="check">
          <input id="import-update" type="checkbox" checked={update} onChange={(e) => setUpdate(e.currentTarget.checked)} />
          <label for="import-update">{t('import.update')}</label>
        </div>
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? t('common.sending') : dryRun ? t('import.check') : t('import.run')}
        </button>
      </form>
      <ErrorBox error={error} />
      {summary && <Summary s={summary} />}
    </section>
  )
}

function Summary({ s }: { s: ImportSummary }) {
  const cells: [string, number][] = [
    [t('import.total'), s.total],
    [t('import.created'), s.created],
    [t('import.updated'), s.updated],
    [t('import.unchanged'), s.unchanged],
    [t('import.skipped'), s.skipped],
    [t('import.rejected'), s.rejected],
  ]
  return (
    <div class="import-summary" role="status">
      <p class="success-title">{s.dry_run ? t('import.summary_dry') : t('import.summary')}</p>
      <ul class="stats">
        {cells.map(([label, n]) => (
          <li class="stat" key={label}>
            <span class="stat-n">{formatNumber(n)}</span>
            <span class="stat-label">{label}</span>
          </li>
        ))}
      </ul>
      {s.conflicts.length > 0 && (
        <div class="table-wrap">
          <table class="table">
            <caption>{t('import.conflicts')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('import.row')}</th>
                <th scope="col">{t('common.unit')}</th>
                <th scope="col">{t('import.field')}</th>
                <th scope="col">{t('import.problem')}</th>
              </tr>
            </thead>
            <tbody>
              {s.conflicts.map((c) => (
                <tr key={`${c.index}-${c.field}`}>
                  <td class="num">{c.index}</td>
                  <td>{c.unit ?? '—'}</td>
                  <td>{c.field ?? '—'}</td>
                  <td>{c.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  )
}
