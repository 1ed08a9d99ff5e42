// Roles reach a unit's whole subtree, and each includes the ones below it:
// admin ⊃ manager ⊃ reporter ⊃ viewer.
import type { Role, RolePublic, UserPublic } from './api/types'

const RANK: Record<Role, number> = { viewer: 0, reporter: 1, manager: 2, admin: 3 }

function rank(role: string): number {
  return role in RANK ? RANK[role as Role] : -1
}

/** True when the user holds `role` or a stronger one on some unit. */
export function hasRole(user: UserPublic | null | undefined, role: Role): boolean {
  return !!user?.roles.some((r) => rank(r.role) >= RANK[role])
}

/** The user's role grants that allow at least `role`. */
export function grantsWith(user: UserPublic | null | undefined, role: Role): RolePublic[] {
  return user?.roles.filter((r) => rank(r.role) >= RANK[role]) ?? []
}

/** The strongest role the user holds, for display. */
export function topRole(user: UserPublic | null | undefined): Role | null {
  let best: Role | null = null
  for (const r of user?.roles ?? []) if (rank(r.role) > (best ? RANK[best] : -1)) best = r.role as Role
  return best
}
