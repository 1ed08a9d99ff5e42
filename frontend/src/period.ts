// The week a page works on for a campaign: this week, kept inside the campaign's weeks.
import type { CampaignPublic } from './api/types'
import { campaignDueAt, isoWeek, weeksBetween } from './format'

export function firstWeek(c: CampaignPublic): string {
  return isoWeek(c.start_date)
}

export function lastWeek(c: CampaignPublic): string {
  return isoWeek(c.end_date)
}

/** This week if the campaign is running; its last week once it is over; its first before. */
export function currentPeriod(c: CampaignPublic, now: Date = new Date()): string {
  const w = isoWeek(now)
  const first = firstWeek(c)
  const last = lastWeek(c)
  return w < first ? first : w > last ? last : w
}

/** Is this week one of the campaign's weeks? */
export function inCampaign(c: CampaignPublic, week: string): boolean {
  return week >= firstWeek(c) && week <= lastWeek(c)
}

/** The campaign's weeks up to `upTo` (defaults to the current period). */
export function campaignWeeks(c: CampaignPublic, upTo: string = currentPeriod(c)): string[] {
  return weeksBetween(firstWeek(c), upTo)
}

export function dueAt(c: CampaignPublic, week: string): Date {
  return campaignDueAt(week, c.due_weekday, c.due_time)
}

/**
 * The weeks a unit may still report for, newest first: the campaign's weeks up to now that
 * have not locked themselves (`lock_after_days` after their deadline; 0 = never). A manager's
 * lock or unlock is not known here: the form reads the week's own lock state.
 */
export function openWeeks(c: CampaignPublic, now: Date = new Date()): string[] {
  const days = c.lock_after_days
  return campaignWeeks(c, currentPeriod(c, now))
    .filter((w) => days <= 0 || now.getTime() < dueAt(c, w).getTime() + days * 86_400_000)
    .reverse()
}
