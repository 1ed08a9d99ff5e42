// What the user sees of the outbox: where each report is ("Đã lưu trên máy…", "Đang gửi",
// "Đã gửi lúc …"), why the server refused one and what to do, and the log-out question.
import { useEffect, useRef, useState } from 'preact/hooks'
import { formatDateTime, formatWeek } from '../format'
import { getLang, t, type MessageKey } from '../i18n'
import { parseCount } from '../reportRules'
import { createStore, useStore } from '../store'
import { changeItem, discardItem, forgetUser, queueStore, retryItem, sendNow, unsentCount, useOutbox, type OutboxItem } from './queue'

export function OutboxPanel() {
  const items = useOutbox()
  if (items.length === 0) return null
  return (
    <section class="card outbox" aria-labelledby="outbox-title">
      <h2 id="outbox-title">{t('outbox.title')}</h2>
      <ul class="outbox-list">
        {items.map((item) => (
          <OutboxEntry key={item.key} item={item} />
        ))}
      </ul>
    </section>
  )
}

/** What to do about a refusal, by the API's error code. */
function todo(item: OutboxItem): MessageKey {
  const r = item.refusal
  if (!r) return 'outbox.todo_other'
  if (r.status === 423 || r.code === 'period_locked' || r.code === 'locked') return 'outbox.todo_locked'
  if (r.status === 412 || r.code === 'version_mismatch' || r.code === 'report_approved') return 'outbox.todo_version'
  if (r.code === 'report_exists') return 'outbox.todo_exists'
  if (r.status === 422) return 'outbox.todo_rule'
  return 'outbox.todo_other'
}

function OutboxEntry({ item }: { item: OutboxItem }) {
  const [open, setOpen] = useState(false)
  const lang = getLang()
  const { unitName, period, unit } = item.label
  const title = `${unitName} — ${formatWeek(period, lang)}`
  const discard = () => {
    if (window.confirm(t('outbox.discard_confirm', { week: formatWeek(period, lang), unit: unitName }))) void discardItem(item.key)
  }
  return (
    <li class={`outbox-item outbox-${item.state}`} aria-label={title}>
      <p class="outbox-name">{title}</p>
      <p class="outbox-state" role="status">
        {item.state === 'queued' && t('outbox.queued')}
        {item.state === 'sending' && t('outbox.sending')}
        {item.state === 'sent' && t('outbox.sent', { time: formatDateTime(item.sentAt) })}
        {item.state === 'refused' && <strong class="text-bad">{t('outbox.refused')}</strong>}
      </p>
      {item.state === 'sent' && item.replayed && <p class="hint">{t('outbox.replayed')}</p>}
      {item.state === 'queued' && item.needsLogin && <p class="notice-warn">{t('outbox.needs_login')}</p>}
      {item.state === 'refused' && item.refusal && (
        <div class="error-box" role="alert">
          <p>{t('outbox.why', { reason: item.refusal.message })}</p>
          <p>{t(todo(item))}</p>
          <p class="error-code">{item.refusal.code}</p>
        </div>
      )}
      <div class="outbox-actions">
        {item.state !== 'sent' && (
          <button type="button" class="btn btn-small" aria-expanded={open} onClick={() => setOpen(!open)}>
            {open ? t('outbox.close') : t('outbox.open')}
          </button>
        )}
        {item.state === 'queued' && (
          <button type="button" class="btn btn-small" onClick={() => void sendNow(true)}>{t('outbox.send_now')}</button>
        )}
        {item.state === 'refused' && (
          <button type="button" class="btn btn-small" onClick={() => void retryItem(item)}>{t('outbox.retry')}</button>
        )}
        {item.state === 'sent' ? (
          <button type="button" class="btn btn-small btn-quiet" onClick={() => void discardItem(item.key)}>{t('outbox.hide')}</button>
        ) : (
          <button type="button" class="btn btn-small btn-quiet" onClick={discard}>{t('outbox.discard')}</button>
        )}
      </div>
      {open && item.state !== 'sent' && <OutboxEditor item={item} unit={unit} onDone={() => setOpen(false)} />}
    </li>
  )
}

/** Change a queued report: the figures and the note; saving makes it a new request (new key). */
function OutboxEditor({ item, unit, onDone }: { item: OutboxItem; unit: string; onDone: () => void }) {
  const [texts, setTexts] = useState<Record<string, string>>(() =>
    Object.fromEntries(Object.entries(item.body.values).map(([k, v]) => [k, String(v)])))
  const [note, setNote] = useState(item.body.note ?? '')
  const [bad, setBad] = useState<string[]>([])
  const id = (code: string) => `outbox-${unit}-${item.label.period}-${code}`
  const save = (e: Event) => {
    e.preventDefault()
    const values: Record<string, number> = {}
    const wrong: string[] = []
    for (const m of item.label.metrics) {
      const n = parseCount(texts[m.code] ?? '')
      if (n === null) wrong.push(m.code)
      else values[m.code] = n
    }
    setBad(wrong)
    if (wrong.length) return
    onDone()
    void changeItem(item, values, note)
  }
  return (
    <form class="outbox-editor" onSubmit={save} noValidate>
      {item.label.metrics.map((m) => (
        <div class="field" key={m.code}>
          <label for={id(m.code)}>{m.name}</label>
          <input id={id(m.code)} inputMode="numeric" autocomplete="off" value={texts[m.code] ?? ''}
            aria-invalid={bad.includes(m.code) ? true : undefined}
            onInput={(e) => setTexts({ ...texts, [m.code]: e.currentTarget.value })} />
          {bad.includes(m.code) && <p class="field-error">{t('check.integer')}</p>}
        </div>
      ))}
      <div class="field">
        <label for={id('note')}>{t('report.note')}</label>
        <textarea id={id('note')} rows={2} maxLength={2000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      </div>
      <button type="submit" class="btn btn-primary">{t('outbox.save')}</button>
    </form>
  )
}

// The log-out question, asked only when this user has reports not yet sent.
const askStore = createStore<(() => void) | null>(null)

/** Log out now, or first ask what to do with the unsent reports. */
export function requestLogout(logout: () => void): void {
  if (unsentCount() === 0) {
    const user = queueStore.get().user
    if (user !== null) void forgetUser(user, true)
    logout()
  } else askStore.set(logout)
}

export function LogoutQuestion() {
  const logout = useStore(askStore)
  const first = useRef<HTMLButtonElement>(null)
  useEffect(() => first.current?.focus(), [logout])
  if (!logout) return null
  const n = unsentCount()
  const finish = async (keep: boolean) => {
    const user = queueStore.get().user
    askStore.set(null)
    if (user !== null) await forgetUser(user, keep)
    logout()
  }
  return (
    <div class="modal-backdrop">
      <div class="card modal" role="dialog" aria-modal="true" aria-labelledby="logout-q-title" aria-describedby="logout-q-text">
        <h2 id="logout-q-title">{t('outbox.logout_title', { n })}</h2>
        <p id="logout-q-text">{t('outbox.logout_text')}</p>
        <div class="modal-actions">
          <button ref={first} type="button" class="btn btn-primary" onClick={() => void finish(true)}>{t('outbox.logout_keep')}</button>
          <button type="button" class="btn" onClick={() => void finish(false)}>{t('outbox.logout_discard')}</button>
          <button type="button" class="btn btn-quiet" onClick={() => askStore.set(null)}>{t('outbox.logout_cancel')}</button>
        </div>
      </div>
    </div>
  )
}
