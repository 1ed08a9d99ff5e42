// The report form's own checks; they mirror the API's (reports/service.py check_values) so that
// most mistakes are caught before sending. The API's answer still wins.
import type { MetricPublic, TargetPublic, UnitPublic } from './api/types'

export const MAX_COUNT = 100_000_000

export type FieldErrors = Record<string, string>

export interface Messages {
  required: string
  integer: string
  tooLarge: string
  exceeds: (other: string, value: number) => string
  noteRequired: string
}

/** Metrics this unit reports each week: its kind's, baselines excluded. */
export function reportableMetrics(metrics: MetricPublic[], kind: string): MetricPublic[] {
  return metrics.filter((m) => !m.is_baseline && m.unit_kinds.includes(kind))
}

/** Targets that apply to the unit (by kind, or set for this very unit). */
export function targetsFor(targets: TargetPublic[], unit: Pick<UnitPublic, 'id' | 'kind'>): TargetPublic[] {
  return targets.filter((t) => t.unit_id === unit.id || (t.unit_id === null && t.unit_kinds.includes(unit.kind)))
}

// Thousands grouped the way the app shows them (vi-VN: "1.234") or as people type them
// ("1 234", also with the no-break spaces a copied figure carries); one separator throughout.
const GROUPED = /^\d{1,3}([. \u00a0\u202f])\d{3}(?:\1\d{3})*$/

/**
 * A count as people type it: "1234", "1.234" and "1 234" → 1234. A decimal ("1,5"), a dot
 * that does not group thousands ("1.5", "12.34"), a sign or anything else → null.
 */
export function parseCount(text: string): number | null {
  const s = text.trim()
  const digits = /^\d+$/.test(s) ? s : GROUPED.test(s) ? s.replace(/\D/g, '') : null
  return digits !== null && digits.length <= 9 ? Number(digits) : null
}

/** Codes whose value went down compared with last week's report. */
export function decreased(values: Record<string, number | null>, previous: Record<string, number> | null): string[] {
  if (!previous) return []
  return Object.entries(values)
    .filter(([code, v]) => v !== null && code in previous && v < previous[code])
    .map(([code]) => code)
}

export function checkReport(
  texts: Record<string, string>,
  note: string,
  metrics: MetricPublic[],
  targets: TargetPublic[],
  previous: Record<string, number> | null,
  msg: Messages,
): { errors: FieldErrors; values: Record<string, number> } {
  const errors: FieldErrors = {}
  const values: Record<string, number> = {}
  const parsed: Record<string, number | null> = {}
  for (const m of metrics) {
    const text = texts[m.code] ?? ''
    const n = parseCount(text)
    parsed[m.code] = n
    if (text.trim() === '') errors[`values.${m.code}`] = msg.required
    else if (n === null) errors[`values.${m.code}`] = msg.integer
    else if (n > MAX_COUNT) errors[`values.${m.code}`] = msg.tooLarge
    else values[m.code] = n
  }
  const names = Object.fromEntries(metrics.map((m) => [m.code, m.name]))
  for (const t of targets) {
    const num = values[t.numerator]
    const den = values[t.denominator]
    if (num !== undefined && den !== undefined && num > den && !errors[`values.${t.numerator}`]) {
      errors[`values.${t.numerator}`] = msg.exceeds(names[t.denominator] ?? t.denominator, den)
    }
  }
  if (decreased(parsed, previous).length > 0 && !note.trim()) errors.note = msg.noteRequired
  return { errors, values }
}
