import { assertNever, type EventMeta, type EventSchema, type SourcedStream } from '@tally/core';
import type { AccountRole as Role } from './roles';

/**
 * Accounts are event sourced in the same event store as reports: one stream per account (`account-<username>`),
 * an index stream listing every username, and one stream for sign-in failures on unknown usernames.
 * Stream category 'account' travels on the accounts topic.
 */
export const ACCOUNT_INDEX_STREAM = 'account-_index';
export const UNKNOWN_ACCOUNT_STREAM = 'account-_unknown';
export const accountStreamId = (username: string): string => `account-${username}`;
export const AUTH_SOURCE = 'tally/auth';

export type AccountRegistered = { type: 'tally.account.registered'; data: { username: string } };
export type AccountCreated = { type: 'tally.account.created'; data: { username: string; role: Role; orgUnit: string; passwordHash: string; email?: string } };
/** where notifications are e-mailed (null: no e-mail) */
export type AccountEmailSet = { type: 'tally.account.email-set'; data: { username: string; email: string | null } };
export type AccountPasswordChanged = { type: 'tally.account.password-changed'; data: { username: string; passwordHash: string } };
export type AccountDisabled = { type: 'tally.account.disabled'; data: { username: string } };
export type AccountEnabled = { type: 'tally.account.enabled'; data: { username: string } };
export type ApiTokenIssued = { type: 'tally.account.api-token-issued'; data: { username: string; jti: string; name: string; expiresAt: string } };
export type TokenRevoked = { type: 'tally.account.token-revoked'; data: { username: string; jti: string; expiresAt: string } };
export type LoggedIn = { type: 'tally.account.logged-in'; data: { username: string; jti: string; expiresAt: string } };
export type LoginFailed = { type: 'tally.account.login-failed'; data: { username: string; cause: 'bad-password' | 'unknown-account' | 'disabled' } };

export type AccountEvent =
  | AccountCreated
  | AccountEmailSet
  | AccountPasswordChanged
  | AccountDisabled
  | AccountEnabled
  | ApiTokenIssued
  | TokenRevoked
  | LoggedIn
  | LoginFailed;

export const ACCOUNT_EVENT_TYPES = [
  'tally.account.created',
  'tally.account.email-set',
  'tally.account.password-changed',
  'tally.account.disabled',
  'tally.account.enabled',
  'tally.account.api-token-issued',
  'tally.account.token-revoked',
  'tally.account.logged-in',
  'tally.account.login-failed',
] as const satisfies readonly AccountEvent['type'][];

// every account event type is listed: an event type missing here would be skipped when a stream is read
type UnlistedAccountEventType = Exclude<AccountEvent['type'], (typeof ACCOUNT_EVENT_TYPES)[number]>;
export const ACCOUNT_EVENT_TYPES_COMPLETE: [UnlistedAccountEventType] extends [never] ? true : never = true;

/** An account stream's schema: every type at schema version 1 so far. */
export const ACCOUNT_EVENT_SCHEMA: EventSchema<AccountEvent> = { types: ACCOUNT_EVENT_TYPES };

export interface ApiTokenRecord {
  jti: string;
  name: string;
  expiresAt: string;
  revoked: boolean;
}

/** An account as the registry keeps it (the password hash never leaves the auth package). */
export interface AccountState {
  username: string;
  role: Role;
  orgUnit: string;
  email: string | null;
  passwordHash: string;
  /** bumped by every password change; sessions issued before are refused */
  passwordVersion: number;
  disabled: boolean;
  createdAt: string;
  apiTokens: Record<string, ApiTokenRecord>;
  /** revoked session jtis -> their expiry (kept until then) */
  revoked: Record<string, string>;
  /** stream version folded in */
  version: number;
}

/** Folds one account event. Deterministic: time comes from the event (`meta.time`), never from the clock. */
export function evolveAccount(state: AccountState | null, e: AccountEvent, meta: Pick<EventMeta, 'time' | 'streamVersion'>): AccountState | null {
  if (e.type === 'tally.account.created') {
    return {
      username: e.data.username,
      role: e.data.role,
      orgUnit: e.data.orgUnit,
      email: e.data.email ?? null,
      passwordHash: e.data.passwordHash,
      passwordVersion: 1,
      disabled: false,
      createdAt: meta.time,
      apiTokens: {},
      revoked: {},
      version: meta.streamVersion,
    };
  }
  if (!state) return null;
  const s = { ...state, version: meta.streamVersion };
  switch (e.type) {
    case 'tally.account.password-changed':
      return { ...s, passwordHash: e.data.passwordHash, passwordVersion: s.passwordVersion + 1 };
    case 'tally.account.email-set':
      return { ...s, email: e.data.email };
    case 'tally.account.disabled':
      return { ...s, disabled: true };
    case 'tally.account.enabled':
      return { ...s, disabled: false };
    case 'tally.account.api-token-issued':
      return { ...s, apiTokens: { ...s.apiTokens, [e.data.jti]: { jti: e.data.jti, name: e.data.name, expiresAt: e.data.expiresAt, revoked: false } } };
    case 'tally.account.token-revoked': {
      const api = s.apiTokens[e.data.jti];
      if (api) return { ...s, apiTokens: { ...s.apiTokens, [e.data.jti]: { ...api, revoked: true } } };
      // revocations of sessions that had expired when this one was revoked are dropped (they refuse nothing any more)
      const revoked = Object.fromEntries(Object.entries(s.revoked).filter(([, exp]) => exp > meta.time));
      return { ...s, revoked: { ...revoked, [e.data.jti]: e.data.expiresAt } };
    }
    case 'tally.account.logged-in':
    case 'tally.account.login-failed':
      return s;
    default:
      return assertNever(e, 'account event');
  }
}

/** An account stream: its events and how they fold (null until the account is created). */
export const accountStream: SourcedStream<AccountState | null, AccountEvent> = {
  schema: ACCOUNT_EVENT_SCHEMA,
  initialState: () => null,
  evolve: evolveAccount,
};
