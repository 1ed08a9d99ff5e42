import { describe, expect, it } from 'vitest'
import { backoff, isUnsent, nextDue, type OutboxItem } from './outbox'

const item = (over: Partial<OutboxItem>): OutboxItem => ({
  key: 'k', user: 1, method: 'POST', path: '/api/v1/reports',
  body: { campaign: 'c', unit: 'u', period: '2024-W36', values: {}, note: '' },
  label: { campaign: 'c', unit: 'u', unitName: 'U', period: '2024-W36', metrics: [] },
  createdAt: '2024-09-05T00:00:00Z', state: 'queued', attempts: 0, nextAt: 0, ...over,
})

describe('back-off between attempts', () => {
  it('doubles from 2 s and stops growing at 5 minutes', () => {
    expect([1, 2, 3, 4].map((n) => backoff(n, 0.5))).toEqual([2000, 4000, 8000, 16000])
    expect(backoff(30, 0.5)).toBe(300_000)
  })
  it('spreads phones apart by ±25 %', () => {
    expect(backoff(1, 0)).toBe(1500)
    expect(backoff(1, 1)).toBe(2500)
  })
})

describe('what is still due', () => {
  it('takes the earliest queued report, ignoring sent, refused and logged-out ones', () => {
    const items = [
      item({ key: 'a', nextAt: 500 }),
      item({ key: 'b', nextAt: 100, state: 'sent' }),
      item({ key: 'c', nextAt: 50, state: 'refused' }),
      item({ key: 'd', nextAt: 10, needsLogin: true }),
      item({ key: 'e', nextAt: 300 }),
    ]
    expect(nextDue(items)).toBe(300)
    expect(nextDue([])).toBeNull()
    expect(items.filter(isUnsent).map((i) => i.key)).toEqual(['a', 'c', 'd', 'e'])
  })
})
