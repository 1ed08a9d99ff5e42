import type { reorgVi } from './reorg.vi'

export const reorgEn: Record<keyof typeof reorgVi, string> = {
  'admin.reorg': 'Reorganisation',
  'reorg.formed_from': 'Formed from {units} ({date})',
  'reorg.merged_into': 'Merged into {units} ({date})',
  'reorg.intro': 'Merge and split units from an effective date. Old units close and keep their figures; new units open and carry their shares of them until they report. Always try a dry run first.',
  'reorg.effective_date': 'Effective date (dd/mm/yyyy)',
  'reorg.note': 'Basis (resolution number)',
  'reorg.rows': 'One line each: old code, new code, new name, kind, parent code, share (empty = whole unit)',
  'reorg.dry_run': 'Dry run',
  'reorg.apply': 'Apply',
  'reorg.applied': 'The reorganisation was applied.',
  'reorg.preview': 'Dry run result (nothing written)',
  'reorg.opened': 'Units opened: {list}',
  'reorg.closed': 'Units closed: {list}',
  'reorg.carried': 'Figures carried: {list}',
  'reorg.access': 'Access: {list}',
  'reorg.bad_row': 'Line {n} needs an old and a new code.',
  'reorg.bad_date': 'The effective date must read dd/mm/yyyy.',
}
