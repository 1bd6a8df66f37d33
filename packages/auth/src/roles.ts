/**
 * Roles and what each may do. A role's permissions apply inside the account's org unit subtree
 * (the unit itself and every unit below it); an account on 'VN' has national scope.
 */
/** The roles an account can have. */
export const ROLES = ['commune_officer', 'reviewer', 'central_admin', 'operator', 'analyst', 'sync'] as const;
export type AccountRole = (typeof ROLES)[number];
/**
 * The role of the platform's own services calling each other over gRPC (`service:<name>` principals, with
 * tokens minted from the shared TALLY_TOKEN_SECRET): national reads only. No account can have it.
 */
export const SERVICE_ROLE = 'service';
export type Role = AccountRole | typeof SERVICE_ROLE;

export type Permission =
  /** submit and amend reports of a unit */
  | 'report.submit'
  /** read reports, their values and history */
  | 'report.read'
  /** approve or return reports (the level is the reviewer's own unit level) */
  | 'report.review'
  /** lock a fully approved report, unlock a locked one (province level or national only) */
  | 'report.lock'
  /** read a report's audit trail */
  | 'report.audit'
  /** read rollups, indicators and completeness */
  | 'rollup.read'
  /** read a unit's notifications */
  | 'inbox.read'
  /** read the catalog and the hierarchy */
  | 'reference.read'
  /** publish catalog versions, templates, targets */
  | 'catalog.publish'
  /** change the administrative map after go-live (rename, move, merge, split, create, retire units) */
  | 'hierarchy.manage'
  /** create, disable accounts, issue and revoke tokens of others */
  | 'account.manage'
  /** one's own account: who am I, log out, change password */
  | 'account.self'
  /** rebuild read models, detailed health */
  | 'ops.manage'
  /** federation: a downstream deployment pulls what flows down and pushes the report events of its subtree (role sync) */
  | 'sync.exchange';

export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  commune_officer: ['report.submit', 'report.read', 'report.audit', 'rollup.read', 'inbox.read', 'reference.read', 'account.self'],
  reviewer: ['report.read', 'report.review', 'report.lock', 'report.audit', 'rollup.read', 'inbox.read', 'reference.read', 'account.self'],
  central_admin: ['catalog.publish', 'hierarchy.manage', 'account.manage', 'report.read', 'report.audit', 'rollup.read', 'reference.read', 'account.self'],
  operator: ['ops.manage', 'reference.read', 'account.self'],
  analyst: ['report.read', 'report.audit', 'rollup.read', 'reference.read', 'account.self'],
  // a linked deployment's account on its upstream, on the downstream's root unit (e.g. province 19)
  sync: ['sync.exchange', 'reference.read', 'account.self'],
  service: ['reference.read', 'rollup.read', 'report.read'],
};

/** An account role (not `service`). */
export const isRole = (x: unknown): x is AccountRole => typeof x === 'string' && (ROLES as readonly string[]).includes(x);

export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

/** The national root: an account there sees every unit. */
export const NATIONAL = 'VN';

/** Usernames: lower-case letters, digits, '.', '_'; start with a letter; no '-' (it separates stream ids). */
export const USERNAME_PATTERN = '^[a-z][a-z0-9._]{2,63}$';
export const isUsername = (x: unknown): x is string => typeof x === 'string' && new RegExp(USERNAME_PATTERN).test(x);
