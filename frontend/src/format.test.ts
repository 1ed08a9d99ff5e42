import { describe, expect, it } from 'vitest'
import {
  addWeeks,
  countdownText,
  formatDate,
  formatDateTime,
  formatNumber,
  formatPercent,
  formatRatio,
  isOverdue,
  isoWeek,
  parseIsoWeek,
  weekDays,
  weekDueAt,
  weeksInIsoYear,
} from './format'

const NBSP = '\u00a0'
const MIN = 60_000
const HOUR = 60 * MIN
const DAY = 24 * HOUR

describe('test environment', () => {
  it('runs in a time zone other than Vietnam', () => {
    // Guards the tests below: they must not pass only because the machine is on +07:00.
    expect(new Date('2024-07-25T00:00:00Z').getTimezoneOffset()).not.toBe(-420)
  })
})

describe('formatNumber', () => {
  it('uses "." as thousands separator', () => {
    expect(formatNumber(2850)).toBe('2.850')
    expect(formatNumber(1234567)).toBe('1.234.567')
    expect(formatNumber(0)).toBe('0')
    expect(formatNumber(999)).toBe('999')
    expect(formatNumber(-12000)).toBe('-12.000')
  })
  it('uses "," as decimal separator', () => {
    expect(formatNumber(1234.5)).toBe('1.234,5')
    expect(formatNumber(1.239, 2)).toBe('1,24')
  })
  it('shows a dash for missing values', () => {
    expect(formatNumber(null)).toBe('—')
    expect(formatNumber(undefined)).toBe('—')
    expect(formatNumber(Number.NaN)).toBe('—')
  })
})

describe('formatPercent / formatRatio', () => {
  it('formats a 0–100 value with a comma decimal and a spaced sign', () => {
    expect(formatPercent(95.4)).toBe(`95,4${NBSP}%`)
    expect(formatPercent(95.44)).toBe(`95,4${NBSP}%`)
    expect(formatPercent(100)).toBe(`100${NBSP}%`)
    expect(formatPercent(0)).toBe(`0${NBSP}%`)
    expect(formatPercent(12.345, 2)).toBe(`12,35${NBSP}%`)
  })
  it('formats done/target', () => {
    expect(formatRatio(2850, 3000)).toBe(`95${NBSP}%`)
    expect(formatRatio(2862, 3000)).toBe(`95,4${NBSP}%`)
    expect(formatRatio(5, 0)).toBe('—')
  })
  it('shows a dash for missing values', () => {
    expect(formatPercent(null)).toBe('—')
  })
})

describe('formatDate / formatDateTime (Asia/Ho_Chi_Minh)', () => {
  it('formats dd/mm/yyyy', () => {
    expect(formatDate(new Date('2024-07-25T08:00:00Z'))).toBe('25/07/2024')
    expect(formatDate('2024-01-05T03:00:00+07:00')).toBe('05/01/2024')
  })
  it('uses the Vietnamese calendar day, not UTC', () => {
    // 17:30 UTC on the 24th is 00:30 on the 25th in Hà Nội.
    expect(formatDate('2024-07-24T17:30:00Z')).toBe('25/07/2024')
    // 16:59 UTC on the 24th is still 23:59 on the 24th.
    expect(formatDate('2024-07-24T16:59:00Z')).toBe('24/07/2024')
  })
  it('reads a plain YYYY-MM-DD as that calendar day', () => {
    expect(formatDate('2024-07-25')).toBe('25/07/2024')
    expect(formatDate('2024-12-31')).toBe('31/12/2024')
  })
  it('formats "HH:mm dd/mm/yyyy" on a 24-hour clock', () => {
    expect(formatDateTime('2024-07-25T08:00:00Z')).toBe('15:00 25/07/2024')
    expect(formatDateTime('2024-07-25T15:00:00+07:00')).toBe('15:00 25/07/2024')
    expect(formatDateTime('2024-07-24T17:00:00Z')).toBe('00:00 25/07/2024')
    expect(formatDateTime(Date.UTC(2024, 11, 31, 16, 59))).toBe('23:59 31/12/2024')
  })
  it('shows a dash for empty or invalid input', () => {
    expect(formatDate(null)).toBe('—')
    expect(formatDate('')).toBe('—')
    expect(formatDateTime('not a date')).toBe('—')
  })
})

describe('ISO weeks', () => {
  it('gives the ISO week string', () => {
    expect(isoWeek(new Date('2024-07-25T08:00:00Z'))).toBe('2024-W30')
    expect(isoWeek('2024-01-01T05:00:00Z')).toBe('2024-W01')
  })
  it('uses the Vietnamese day at week boundaries', () => {
    // Sunday 21/07 23:59 in Hà Nội → still W29.
    expect(isoWeek('2024-07-21T16:59:00Z')).toBe('2024-W29')
    // Monday 22/07 00:30 in Hà Nội (still Sunday in UTC) → W30.
    expect(isoWeek('2024-07-21T17:30:00Z')).toBe('2024-W30')
  })
  it('handles year boundaries', () => {
    expect(isoWeek('2024-12-30')).toBe('2025-W01')
    expect(isoWeek('2021-01-03')).toBe('2020-W53')
    expect(isoWeek('2026-01-01')).toBe('2026-W01')
    expect(isoWeek('2027-01-01')).toBe('2026-W53')
  })
  it('counts weeks in a year', () => {
    expect(weeksInIsoYear(2020)).toBe(53)
    expect(weeksInIsoYear(2024)).toBe(52)
    expect(weeksInIsoYear(2026)).toBe(53)
  })
  it('parses and validates week strings', () => {
    expect(parseIsoWeek('2024-W30')).toEqual({ year: 2024, week: 30 })
    expect(parseIsoWeek('2020-W53')).toEqual({ year: 2020, week: 53 })
    expect(() => parseIsoWeek('2024-W53')).toThrow(RangeError)
    expect(() => parseIsoWeek('2024-W00')).toThrow(RangeError)
    expect(() => parseIsoWeek('2024-30')).toThrow(RangeError)
  })
  it('lists the Monday and Sunday of a week', () => {
    expect(weekDays('2024-W30')).toEqual({ monday: '2024-07-22', sunday: '2024-07-28' })
    expect(weekDays('2025-W01')).toEqual({ monday: '2024-12-30', sunday: '2025-01-05' })
  })
  it('moves across years', () => {
    expect(addWeeks('2024-W52', 1)).toBe('2025-W01')
    expect(addWeeks('2021-W01', -1)).toBe('2020-W53')
    expect(addWeeks('2024-W30', 0)).toBe('2024-W30')
  })
})

describe('weekDueAt', () => {
  it('is Thursday 15:00 +07:00 of the week', () => {
    expect(weekDueAt('2024-W30').toISOString()).toBe('2024-07-25T08:00:00.000Z')
    expect(weekDueAt('2025-W01').toISOString()).toBe('2025-01-02T08:00:00.000Z')
    expect(weekDueAt('2020-W53').toISOString()).toBe('2020-12-31T08:00:00.000Z')
  })
  it('accepts any moment inside the week', () => {
    expect(weekDueAt(new Date('2024-07-22T00:00:00+07:00')).toISOString()).toBe('2024-07-25T08:00:00.000Z')
    expect(weekDueAt('2024-07-28T23:59:00+07:00').toISOString()).toBe('2024-07-25T08:00:00.000Z')
  })
  it('formats as the deadline users know', () => {
    expect(formatDateTime(weekDueAt('2024-W30'))).toBe('15:00 25/07/2024')
  })
})

describe('countdownText', () => {
  const due = new Date('2024-07-25T08:00:00Z')
  const before = (ms: number) => new Date(due.getTime() - ms)
  const after = (ms: number) => new Date(due.getTime() + ms)

  it('counts down in Vietnamese', () => {
    expect(countdownText(due, before(2 * DAY + 3 * HOUR))).toBe('còn 2 ngày 3 giờ')
    expect(countdownText(due, before(2 * DAY + 3 * HOUR + 59 * MIN))).toBe('còn 2 ngày 3 giờ')
    expect(countdownText(due, before(2 * DAY + 10 * MIN))).toBe('còn 2 ngày')
    expect(countdownText(due, before(3 * HOUR + 20 * MIN))).toBe('còn 3 giờ 20 phút')
    expect(countdownText(due, before(45 * MIN))).toBe('còn 45 phút')
    expect(countdownText(due, before(30_000))).toBe('còn dưới 1 phút')
  })
  it('reports overdue time', () => {
    expect(countdownText(due, after(5 * HOUR))).toBe('quá hạn 5 giờ')
    expect(countdownText(due, after(DAY + 2 * HOUR))).toBe('quá hạn 1 ngày 2 giờ')
    expect(countdownText(due, after(10_000))).toBe('vừa quá hạn')
  })
  it('speaks English too', () => {
    expect(countdownText(due, before(2 * DAY + 3 * HOUR), 'en')).toBe('2 days 3 hours left')
    expect(countdownText(due, before(DAY + HOUR), 'en')).toBe('1 day 1 hour left')
    expect(countdownText(due, after(5 * HOUR), 'en')).toBe('overdue by 5 hours')
  })
  it('knows when a deadline has passed', () => {
    expect(isOverdue(due, before(1))).toBe(false)
    expect(isOverdue(due, due)).toBe(false)
    expect(isOverdue(due, after(1))).toBe(true)
  })
})

describe('parseVnDate', () => {
  it('reads dd/mm/yyyy and refuses impossible days', async () => {
    const { parseVnDate } = await import('./format')
    expect(parseVnDate('27/12/2026')).toBe('2026-12-27')
    expect(parseVnDate(' 5/1/2027 ')).toBe('2027-01-05')
    expect(parseVnDate('31/02/2026')).toBeNull()
    expect(parseVnDate('2026-12-27')).toBeNull()
  })
})
