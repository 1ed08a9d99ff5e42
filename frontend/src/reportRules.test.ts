import { describe, expect, it } from 'vitest'
import type { MetricPublic, TargetPublic } from './api/types'
import { formatNumber } from './format'
import { checkReport, decreased, parseCount, reportableMetrics, targetsFor } from './reportRules'

const metric = (code: string, kinds: string[], is_baseline = false): MetricPublic =>
  ({ id: code.length, code, name: code.toUpperCase(), unit_kinds: kinds, is_baseline }) as MetricPublic
const METRICS = [
  metric('staff_total', ['commune', 'school']),
  metric('staff_installed', ['commune', 'school']),
  metric('residents_total', ['commune'], true),
  metric('meetings', ['commune']),
]
const STAFF = { id: 1, numerator: 'staff_installed', denominator: 'staff_total', unit_kinds: ['commune'], unit_id: null } as unknown as TargetPublic
const msg = {
  required: 'required',
  integer: 'integer',
  tooLarge: 'large',
  exceeds: (o: string, v: number) => `> ${o} ${v}`,
  noteRequired: 'note',
}

describe('report rules', () => {
  it('keeps the unit kind’s metrics without baselines', () => {
    expect(reportableMetrics(METRICS, 'commune').map((m) => m.code)).toEqual(['staff_total', 'staff_installed', 'meetings'])
    expect(reportableMetrics(METRICS, 'school').map((m) => m.code)).toEqual(['staff_total', 'staff_installed'])
  })
  it('finds targets by kind or unit', () => {
    expect(targetsFor([STAFF], { id: 9, kind: 'commune' })).toHaveLength(1)
    expect(targetsFor([STAFF], { id: 9, kind: 'school' })).toHaveLength(0)
  })
  it('accepts only non-negative integers', () => {
    expect(parseCount(' 42 ')).toBe(42)
    for (const bad of ['-1', '1.5', '1e3', '', 'abc', '+3']) expect(parseCount(bad)).toBeNull()
  })
  it('reads counts as people type them: "1.234" and "1 234"', () => {
    expect(parseCount('1.234')).toBe(1234)
    expect(parseCount('1 234')).toBe(1234)
    expect(parseCount('1.000')).toBe(1000)
    expect(parseCount('12.345.678')).toBe(12_345_678)
    expect(parseCount('12 345 678')).toBe(12_345_678)
    expect(parseCount('2\u00a0850')).toBe(2850) // as vi-VN prints with a no-break space
    expect(parseCount(' 1.234 ')).toBe(1234)
    expect(parseCount('0')).toBe(0)
  })
  it('refuses decimals and dots that do not group thousands', () => {
    for (const bad of ['1,5', '1,234', '1.5', '12.34', '1.2345', '1..234', '.234', '1.234.', '1.234 567', '1 23', '1 234,5'])
      expect(parseCount(bad), bad).toBeNull()
  })
  it('keeps within nine digits', () => {
    expect(parseCount('999.999.999')).toBe(999_999_999)
    expect(parseCount('1.000.000.000')).toBeNull()
    expect(parseCount('1000000000')).toBeNull()
  })
  it('reads back what the app shows', () => {
    for (const n of [0, 7, 999, 1000, 2850, 65_432, 1_234_567]) expect(parseCount(formatNumber(n))).toBe(n)
  })
  it('checks installed ≤ total and a note when a count goes down', () => {
    const metrics = reportableMetrics(METRICS, 'commune')
    const texts = { staff_total: '30', staff_installed: '31', meetings: '2' }
    const prev = { staff_total: 30, staff_installed: 20, meetings: 5 }
    const { errors } = checkReport(texts, '', metrics, [STAFF], prev, msg)
    expect(errors['values.staff_installed']).toBe('> STAFF_TOTAL 30')
    expect(errors.note).toBe('note')
    expect(checkReport(texts, 'họp gộp', metrics, [STAFF], prev, msg).errors.note).toBeUndefined()
    expect(decreased({ meetings: 6 }, prev)).toEqual([])
  })
  it('reports blanks and bad numbers per field', () => {
    const metrics = reportableMetrics(METRICS, 'school')
    const { errors, values } = checkReport({ staff_total: '', staff_installed: 'x' }, '', metrics, [], null, msg)
    expect(errors).toEqual({ 'values.staff_total': 'required', 'values.staff_installed': 'integer' })
    expect(values).toEqual({})
  })
})
