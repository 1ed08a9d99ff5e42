import { describe, expect, it } from 'vitest'
import type { CampaignPublic } from './api/types'
import { openWeeks } from './period'

const campaign = (lock_after_days: number) =>
  ({
    start_date: '2026-11-09',
    end_date: '2027-01-03',
    due_weekday: 4,
    due_time: '15:00:00',
    lock_after_days,
  }) as CampaignPublic

describe('openWeeks', () => {
  it('on Monday offers this week first and last week, still open until Thursday 15:00', () => {
    const monday = new Date('2026-11-30T02:00:00Z') // 09:00 in Hà Nội
    expect(openWeeks(campaign(7), monday)).toEqual(['2026-W49', '2026-W48'])
  })
  it('drops last week once it has locked itself', () => {
    const friday = new Date('2026-12-04T02:00:00Z')
    expect(openWeeks(campaign(7), friday)).toEqual(['2026-W49'])
    const justBefore = new Date('2026-12-03T07:59:00Z') // Thursday 14:59 in Hà Nội
    expect(openWeeks(campaign(7), justBefore)).toEqual(['2026-W49', '2026-W48'])
  })
  it('keeps every week open when weeks never lock', () => {
    expect(openWeeks(campaign(0), new Date('2026-11-30T02:00:00Z'))).toEqual(['2026-W49', '2026-W48', '2026-W47', '2026-W46'])
  })
})
