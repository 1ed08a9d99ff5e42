// Vietnamese display formatting. All dates and times are shown in
// Asia/Ho_Chi_Minh, whatever the browser's own time zone is.
import type { Lang } from './i18n'

export const TIME_ZONE = 'Asia/Ho_Chi_Minh'
/** Vietnam has used UTC+07:00 all year round since 1975 (no DST). */
const VN_OFFSET_HOURS = 7
/** Weekly reports are due on Thursday at this local hour. */
export const DUE_WEEKDAY_ISO = 4 // Thursday
export const DUE_HOUR_LOCAL = 15

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const DASH = '—'
const NBSP = '\u00a0'

export type DateInput = Date | string | number

const numberFormatters = new Map<number, Intl.NumberFormat>()
function numberFormat(maxFractionDigits: number): Intl.NumberFormat {
  let f = numberFormatters.get(maxFractionDigits)
  if (!f) {
    f = new Intl.NumberFormat('vi-VN', {
      minimumFractionDigits: 0,
      maximumFractionDigits: maxFractionDigits,
      useGrouping: true,
    })
    numberFormatters.set(maxFractionDigits, f)
  }
  return f
}

/** 2850 → "2.850"; 1234.5 → "1.234,5". */
export function formatNumber(n: number | null | undefined, maxFractionDigits = 2): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return DASH
  return numberFormat(maxFractionDigits).format(n)
}

/**
 * A percentage given on the 0–100 scale: 95.4 → "95,4 %".
 * A non-breaking space keeps the number and the sign on one line.
 */
export function formatPercent(percent: number | null | undefined, fractionDigits = 1): string {
  if (percent === null || percent === undefined || !Number.isFinite(percent)) return DASH
  return `${numberFormat(fractionDigits).format(percent)}${NBSP}%`
}

/** done / target as a percentage: (2850, 3000) → "95 %". Target 0 → "—". */
export function formatRatio(done: number, target: number, fractionDigits = 1): string {
  if (!target) return DASH
  return formatPercent((done / target) * 100, fractionDigits)
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/

/** Accept Date, epoch ms, ISO date-time, or a plain "YYYY-MM-DD" (read as a Vietnamese calendar day). */
export function toDate(input: DateInput): Date {
  if (input instanceof Date) return input
  if (typeof input === 'number') return new Date(input)
  const m = DATE_ONLY.exec(input)
  if (m) return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], -VN_OFFSET_HOURS))
  return new Date(input)
}

const partsFormatter = new Intl.DateTimeFormat('en-US', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
})

export interface LocalParts {
  year: number
  month: number // 1–12
  day: number
  hour: number
  minute: number
}

/** Calendar fields of a moment as seen on a clock in Hà Nội. */
export function vnParts(date: Date): LocalParts {
  const out: Record<string, number> = {}
  for (const p of partsFormatter.formatToParts(date)) {
    if (p.type !== 'literal') out[p.type] = Number(p.value)
  }
  return {
    year: out.year,
    month: out.month,
    day: out.day,
    hour: out.hour === 24 ? 0 : out.hour,
    minute: out.minute,
  }
}

const pad2 = (n: number) => String(n).padStart(2, '0')

/** "25/07/2024" */
export function formatDate(input: DateInput | null | undefined): string {
  if (input === null || input === undefined || input === '') return DASH
  const d = toDate(input)
  if (Number.isNaN(d.getTime())) return DASH
  const p = vnParts(d)
  return `${pad2(p.day)}/${pad2(p.month)}/${p.year}`
}

/** "15:00 25/07/2024" */
export function formatDateTime(input: DateInput | null | undefined): string {
  if (input === null || input === undefined || input === '') return DASH
  const d = toDate(input)
  if (Number.isNaN(d.getTime())) return DASH
  const p = vnParts(d)
  return `${pad2(p.hour)}:${pad2(p.minute)} ${pad2(p.day)}/${pad2(p.month)}/${p.year}`
}

// ---------------------------------------------------------------- ISO weeks

export interface IsoWeek {
  year: number
  week: number
}

function isoWeekOfUtcDay(utcMidnight: number): IsoWeek {
  const dow = (new Date(utcMidnight).getUTCDay() + 6) % 7 // Monday = 0
  const thursday = utcMidnight + (3 - dow) * DAY
  const year = new Date(thursday).getUTCFullYear()
  const week = Math.floor((thursday - Date.UTC(year, 0, 1)) / DAY / 7) + 1
  return { year, week }
}

/** ISO week of the Vietnamese calendar day containing `date`, e.g. "2024-W30". */
export function isoWeek(date: DateInput = new Date()): string {
  const p = vnParts(toDate(date))
  const { year, week } = isoWeekOfUtcDay(Date.UTC(p.year, p.month - 1, p.day))
  return `${year}-W${pad2(week)}`
}

/** Number of ISO weeks in an ISO year (52 or 53). */
export function weeksInIsoYear(year: number): number {
  return isoWeekOfUtcDay(Date.UTC(year, 11, 28)).week
}

const WEEK_RE = /^(\d{4})-W(\d{2})$/

/** "2024-W30" → {year: 2024, week: 30}; throws on a malformed or out-of-range week. */
export function parseIsoWeek(week: string): IsoWeek {
  const m = WEEK_RE.exec(week)
  if (!m) throw new RangeError(`Invalid ISO week: ${week}`)
  const year = +m[1]
  const w = +m[2]
  if (w < 1 || w > weeksInIsoYear(year)) throw new RangeError(`Invalid ISO week: ${week}`)
  return { year, week: w }
}

/** UTC midnight of the Monday of an ISO week (a calendar-day key, not a moment). */
function mondayUtc({ year, week }: IsoWeek): number {
  const jan4 = Date.UTC(year, 0, 4)
  const dow = (new Date(jan4).getUTCDay() + 6) % 7
  return jan4 - dow * DAY + (week - 1) * 7 * DAY
}

function dayKey(utcMidnight: number): string {
  const d = new Date(utcMidnight)
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`
}

/** Monday and Sunday of an ISO week as "YYYY-MM-DD". */
export function weekDays(week: string): { monday: string; sunday: string } {
  const mon = mondayUtc(parseIsoWeek(week))
  return { monday: dayKey(mon), sunday: dayKey(mon + 6 * DAY) }
}

/** The moment a week's report is due: Thursday 15:00 +07:00 of that ISO week. */
export function weekDueAt(week: string | DateInput = new Date()): Date {
  const key = typeof week === 'string' && WEEK_RE.test(week) ? week : isoWeek(week)
  const thursday = mondayUtc(parseIsoWeek(key)) + (DUE_WEEKDAY_ISO - 1) * DAY
  return new Date(thursday + (DUE_HOUR_LOCAL - VN_OFFSET_HOURS) * HOUR)
}

/** Shift an ISO week by n weeks: ("2024-W52", 1) → "2025-W01". */
export function addWeeks(week: string, n: number): string {
  const mon = mondayUtc(parseIsoWeek(week)) + n * 7 * DAY
  const { year, week: w } = isoWeekOfUtcDay(mon)
  return `${year}-W${pad2(w)}`
}

// ---------------------------------------------------------------- countdown

const UNITS: Record<Lang, { day: [string, string]; hour: [string, string]; minute: [string, string] }> = {
  vi: { day: ['ngày', 'ngày'], hour: ['giờ', 'giờ'], minute: ['phút', 'phút'] },
  en: { day: ['day', 'days'], hour: ['hour', 'hours'], minute: ['minute', 'minutes'] },
}

function durationText(ms: number, lang: Lang): string {
  const u = UNITS[lang]
  const unit = (n: number, names: [string, string]) => `${n} ${n === 1 ? names[0] : names[1]}`
  const days = Math.floor(ms / DAY)
  const hours = Math.floor((ms % DAY) / HOUR)
  const minutes = Math.floor((ms % HOUR) / MINUTE)
  const parts: string[] = []
  if (days > 0) {
    parts.push(unit(days, u.day))
    if (hours > 0) parts.push(unit(hours, u.hour))
  } else if (hours > 0) {
    parts.push(unit(hours, u.hour))
    if (minutes > 0) parts.push(unit(minutes, u.minute))
  } else {
    parts.push(unit(minutes, u.minute))
  }
  return parts.join(' ')
}

/**
 * Time left until (or past) a deadline, rounded down to the minute:
 * "còn 2 ngày 3 giờ", "còn 45 phút", "quá hạn 5 giờ".
 * English: "2 days 3 hours left", "overdue by 5 hours".
 */
export function countdownText(due: DateInput, now: DateInput = new Date(), lang: Lang = 'vi'): string {
  const diff = toDate(due).getTime() - toDate(now).getTime()
  if (Number.isNaN(diff)) return DASH
  if (diff >= 0 && diff < MINUTE) return lang === 'vi' ? 'còn dưới 1 phút' : 'less than a minute left'
  if (diff < 0 && -diff < MINUTE) return lang === 'vi' ? 'vừa quá hạn' : 'just overdue'
  const text = durationText(Math.abs(diff), lang)
  if (diff > 0) return lang === 'vi' ? `còn ${text}` : `${text} left`
  return lang === 'vi' ? `quá hạn ${text}` : `overdue by ${text}`
}

/** True when `now` is past the deadline. */
export function isOverdue(due: DateInput, now: DateInput = new Date()): boolean {
  return toDate(now).getTime() > toDate(due).getTime()
}

/**
 * Due moment of a week for a campaign's cadence (weekday 1 = Monday … 7 = Sunday, "15:00:00"),
 * read on a Hà Nội clock (campaigns run in Asia/Ho_Chi_Minh).
 */
export function campaignDueAt(week: string, weekday: number, time: string): Date {
  const [h, m] = time.split(':').map(Number)
  const day = mondayUtc(parseIsoWeek(week)) + (weekday - 1) * DAY
  return new Date(day + (h - VN_OFFSET_HOURS) * HOUR + (m || 0) * MINUTE)
}

/** "02/09–08/09/2024": the dates of an ISO week. */
export function weekRange(week: string): string {
  try {
    const { monday, sunday } = weekDays(week)
    return `${formatDate(monday).slice(0, 5)}–${formatDate(sunday)}`
  } catch {
    return week
  }
}

/** "Tuần 36 (02/09–08/09/2024)" — the week as people say it, with its dates. */
export function formatWeek(week: string, lang: Lang = 'vi'): string {
  let parsed: IsoWeek
  try {
    parsed = parseIsoWeek(week)
  } catch {
    return week
  }
  const { monday, sunday } = weekDays(week)
  const short = formatDate(monday).slice(0, 5)
  return `${lang === 'vi' ? 'Tuần' : 'Week'} ${parsed.week} (${short}–${formatDate(sunday)})`
}

/** The ISO weeks from `first` to `last` inclusive (empty when last < first). */
export function weeksBetween(first: string, last: string): string[] {
  const out: string[] = []
  for (let w = first; w <= last && out.length < 520; w = addWeeks(w, 1)) out.push(w)
  return out
}

/** A ratio (0..1) as a percentage: 0.954 → "95,4 %". */
export function formatFraction(ratio: number | null | undefined, fractionDigits = 1): string {
  return ratio === null || ratio === undefined ? DASH : formatPercent(ratio * 100, fractionDigits)
}

/** Calendar days from today (Hà Nội) to a "YYYY-MM-DD" date: negative once it has passed. */
export function daysUntil(day: string, now: DateInput = new Date()): number {
  const p = vnParts(toDate(now))
  const [y, m, d] = day.split('-').map(Number)
  return Math.round((Date.UTC(y, m - 1, d) - Date.UTC(p.year, p.month - 1, p.day)) / DAY)
}

/** "còn 12 ngày", "hôm nay", "đã qua 3 ngày" for a date deadline. */
export function daysLeftText(day: string, now: DateInput = new Date(), lang: Lang = 'vi'): string {
  const n = daysUntil(day, now)
  if (n === 0) return lang === 'vi' ? 'hạn chót hôm nay' : 'due today'
  if (n > 0) return lang === 'vi' ? `còn ${n} ngày` : `${n} ${n === 1 ? 'day' : 'days'} left`
  return lang === 'vi' ? `đã qua ${-n} ngày` : `${-n} ${n === -1 ? 'day' : 'days'} ago`
}

/** "2024-W36" → "T36" (vi) / "W36" (en): short axis labels. */
export function shortWeek(week: string, lang: Lang = 'vi'): string {
  const m = WEEK_RE.exec(week)
  return m ? `${lang === 'vi' ? 'T' : 'W'}${+m[2]}` : week
}

/** "27/12/2026" → "2026-12-27"; null when it is not a real dd/mm/yyyy date. */
export function parseVnDate(text: string): string | null {
  const m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(text)
  if (!m) return null
  const [d, mo, y] = [+m[1], +m[2], +m[3]]
  const date = new Date(Date.UTC(y, mo - 1, d))
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null
  return `${y}-${pad2(mo)}-${pad2(d)}`
}
