// Short names for the generated API types.
import type { components } from './schema'

type S = components['schemas']
export type UserPublic = S['UserPublic']
export type RolePublic = S['RolePublic']
export type CampaignPublic = S['CampaignPublic']
export type MetricPublic = S['MetricPublic']
export type TargetPublic = S['TargetPublic']
export type UnitPublic = S['UnitPublic']
export type ReportPublic = S['ReportPublic']
export type RevisionPublic = S['RevisionPublic']
export type ApiTokenPublic = S['ApiTokenPublic']
export type ApiTokenCreated = S['ApiTokenCreated']
export type Role = S['Role']
export type UnitKind = S['UnitKind']
