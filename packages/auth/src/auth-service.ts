import { TallyError, newEvent, type EventContext, type HierarchyQuery } from '@tally/contracts';
import { StreamVersionConflictError, handleCommand, type EventStore } from '@tally/eventstore';
import type { Logger } from '@tally/runtime';
import {
  ACCOUNT_INDEX_STREAM,
  AUTH_SOURCE,
  UNKNOWN_ACCOUNT_STREAM,
  accountStream,
  accountStreamId,
  type AccountEvent,
  type AccountState,
  type LoginFailed,
} from './account-events';
import { AccountRegistry } from './account-registry';
import { dummyHash, hashPassword, passwordProblem, randomPassword, verifyPassword } from './password';
import { FailureWindow, TokenBuckets } from './rate-limit';
import { NATIONAL, SERVICE_ROLE, isRole, isUsername, type Role } from './roles';
import type { AuthSettings } from './settings';
import { TokenSigner, isServicePrincipal, nowSec, type TokenClaims, type TokenKind } from './tokens';

/** Who is calling, once the token checked out. */
export interface Principal {
  username: string;
  role: Role;
  orgUnit: string;
  tokenKind: TokenKind;
  jti: string;
  exp: number;
}

export interface AccountView {
  username: string;
  role: Role;
  orgUnit: string;
  email: string | null;
  disabled: boolean;
  createdAt: string;
  apiTokens: Array<{ jti: string; name: string; expiresAt: string; revoked: boolean }>;
}

export interface NewAccount {
  username: string;
  password: string;
  role: string;
  orgUnit: string;
  /** where notifications are e-mailed */
  email?: string;
}

export interface AuthServiceDeps {
  store: EventStore;
  hierarchy: HierarchyQuery;
  signer: TokenSigner;
  settings: AuthSettings;
  logger: Logger;
  nudgeRelay?: () => void;
}

const BAD_LOGIN = 'wrong username or password';
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const checkEmail = (email: string | null | undefined): void => {
  if (email && (email.length > 254 || !EMAIL.test(email))) throw new TallyError('INVALID_REQUEST', 'not an e-mail address');
};
export const ADMIN_USERNAME = 'admin';

/**
 * Accounts, sign-in and tokens. Every change is an event on the account's stream (who, when, from where);
 * failed sign-ins too, until the rate limit refuses further attempts.
 */
export class AuthService {
  readonly registry: AccountRegistry;
  readonly requests: TokenBuckets;
  private readonly failuresByOrigin: FailureWindow;
  private readonly failuresByUser: FailureWindow;
  /** jtis of in-process tokens (the demo loader): exempt from the request rate limit */
  private readonly internalJtis = new Set<string>();

  constructor(private readonly deps: AuthServiceDeps) {
    this.registry = new AccountRegistry(deps.store);
    this.requests = new TokenBuckets(deps.settings.rateLimit);
    const windowMs = deps.settings.login.windowSec * 1000;
    this.failuresByOrigin = new FailureWindow(deps.settings.login.maxFailures, windowMs);
    this.failuresByUser = new FailureWindow(deps.settings.login.maxFailures * 4, windowMs);
  }

  /** Loads every account; creates `admin` on first start (password from the settings, else random and printed once). */
  async start(): Promise<void> {
    await this.registry.load();
    if (await this.registry.get(ADMIN_USERNAME)) return;
    const given = this.deps.settings.adminPassword;
    const password = given ?? randomPassword();
    const ctx: EventContext = { actor: { id: 'system:bootstrap' }, correlationId: `bootstrap-${Date.now()}`, reason: 'first start' };
    try {
      await this.createAccount({ username: ADMIN_USERNAME, password, role: 'central_admin', orgUnit: NATIONAL }, ctx, { skipPasswordPolicy: true });
    } catch (err) {
      // another process bootstrapped at the same moment: theirs stands
      if (err instanceof TallyError && err.httpStatus === 409) return;
      throw err;
    }
    if (!given) {
      this.deps.settings.print(
        `\nCreated the built-in account "admin" with a generated password (shown once, not stored anywhere):\n  ${password}\n` +
          `Sign in: POST /api/v1/auth/login {"username":"admin","password":"..."}; set TALLY_ADMIN_PASSWORD to choose it.\n\n`,
      );
    }
  }

  // ---- accounts

  async createAccount(input: NewAccount, ctx: EventContext, options: { skipPasswordPolicy?: boolean } = {}): Promise<AccountView> {
    const username = input.username;
    if (!isUsername(username)) throw new TallyError('INVALID_REQUEST', 'a username has 3-64 characters: a-z first, then a-z, 0-9, "." or "_"');
    if (!isRole(input.role)) throw new TallyError('INVALID_REQUEST', `unknown role ${input.role}`);
    const problem = options.skipPasswordPolicy ? null : passwordProblem(input.password, username);
    if (problem) throw new TallyError('INVALID_REQUEST', problem);
    checkEmail(input.email);
    await this.requireUnit(input.orgUnit);
    if (await this.registry.get(username)) throw new TallyError('INVALID_REQUEST', `account ${username} exists`, undefined, 409);
    const passwordHash = await hashPassword(input.password, this.deps.settings.scrypt);
    // index first: a crash between the two appends leaves a name whose stream does not exist, which load() skips
    await this.deps.store.append(ACCOUNT_INDEX_STREAM, [newEvent(AUTH_SOURCE, ACCOUNT_INDEX_STREAM, { type: 'tally.account.registered', data: { username } }, ctx)], 'any');
    try {
      await this.append(username, [{ type: 'tally.account.created', data: { username, role: input.role, orgUnit: input.orgUnit, passwordHash, ...(input.email ? { email: input.email } : {}) } }], ctx, 'no_stream');
    } catch (err) {
      if (err instanceof StreamVersionConflictError) throw new TallyError('INVALID_REQUEST', `account ${username} exists`, undefined, 409);
      throw err;
    }
    return viewOf((await this.registry.get(username))!);
  }

  async listAccounts(): Promise<AccountView[]> {
    return this.registry.all().map(viewOf);
  }

  async account(username: string): Promise<AccountState> {
    const account = await this.registry.get(username);
    if (!account) throw new TallyError('NOT_FOUND', `no account ${username}`);
    return account;
  }

  async setDisabled(username: string, disabled: boolean, ctx: EventContext): Promise<AccountView> {
    const account = await this.account(username);
    if (account.disabled !== disabled) {
      await this.append(username, [{ type: disabled ? 'tally.account.disabled' : 'tally.account.enabled', data: { username } }], ctx, 'any');
    }
    return viewOf(await this.account(username));
  }

  /** Sets (or, with null, removes) the address notifications are e-mailed to. */
  async setEmail(username: string, email: string | null, ctx: EventContext): Promise<AccountView> {
    checkEmail(email);
    const account = await this.account(username);
    if (account.email !== email) await this.append(username, [{ type: 'tally.account.email-set', data: { username, email } }], ctx, 'any');
    return viewOf(await this.account(username));
  }

  /** Sets a new password; every session issued before ends. `current` is checked when given (self-service). */
  async changePassword(username: string, next: string, ctx: EventContext, current?: string): Promise<void> {
    const account = await this.account(username);
    if (current !== undefined) {
      // a stolen session must not become a password oracle: the same limits and audit as a sign-in
      this.refuseIfBlocked(username, ctx);
      if (!(await verifyPassword(current, account.passwordHash))) {
        await this.recordFailure(username, account, 'bad-password', { ...ctx, reason: 'password change: the current password is wrong' });
        throw new TallyError('INVALID_REQUEST', 'the current password is wrong');
      }
      this.failuresByOrigin.clear(failureKey(username, ctx));
    }
    const problem = passwordProblem(next, username);
    if (problem) throw new TallyError('INVALID_REQUEST', problem);
    const passwordHash = await hashPassword(next, this.deps.settings.scrypt);
    await this.append(username, [{ type: 'tally.account.password-changed', data: { username, passwordHash } }], ctx, 'any');
  }

  // ---- tokens

  /** A long-lived token for a system (an integration), revocable by its jti. */
  async issueApiToken(username: string, name: string, ctx: EventContext, ttlDays = this.deps.settings.apiTokenTtlDays): Promise<{ token: string; jti: string; expiresAt: string }> {
    const account = await this.account(username);
    if (account.disabled) throw new TallyError('INVALID_TRANSITION', `account ${username} is disabled`);
    const exp = nowSec() + Math.round(ttlDays * 86_400);
    const { token, claims } = this.deps.signer.issue({ sub: username, typ: 'api', exp, pwv: 0 });
    const expiresAt = new Date(exp * 1000).toISOString();
    await this.append(username, [{ type: 'tally.account.api-token-issued', data: { username, jti: claims.jti, name, expiresAt } }], ctx, 'any');
    return { token, jti: claims.jti, expiresAt };
  }

  /**
   * Revokes one of the account's tokens; a jti the account was never issued is 404 and nothing is appended.
   * `presented`: the caller authenticated with this very token (sign-out), so it is the account's.
   */
  async revoke(username: string, jti: string, expiresAt: string, ctx: EventContext, presented = false): Promise<void> {
    const account = await this.account(username);
    if (!presented && !(await this.issuedTo(account, jti))) throw new TallyError('NOT_FOUND', `account ${username} has no token ${jti}`);
    if (account.revoked[jti] || account.apiTokens[jti]?.revoked) return;
    await this.append(username, [{ type: 'tally.account.token-revoked', data: { username, jti, expiresAt } }], ctx, 'any');
  }

  /** Sign-in with a password: a short-lived session token. Failures are counted per username+IP and per username, and audited. */
  async login(rawUsername: string, password: string, ctx: EventContext): Promise<{ token: string; expiresAt: string; principal: Principal }> {
    const username = rawUsername.trim().toLowerCase();
    this.refuseIfBlocked(username, ctx);
    const account = isUsername(username) ? await this.registry.get(username) : undefined;
    const ok = await verifyPassword(password, account?.passwordHash ?? (await dummyHash(this.deps.settings.scrypt)));
    if (!account || !ok || account.disabled) {
      // the caller is not trusted with a name: the failure is recorded as anonymous, from its address
      const audited = { ...ctx, actor: { id: 'anonymous', ...(ctx.actor.origin ? { origin: ctx.actor.origin } : {}) } };
      await this.recordFailure(username, account, !account ? 'unknown-account' : !ok ? 'bad-password' : 'disabled', audited);
      throw new TallyError('UNAUTHENTICATED', BAD_LOGIN);
    }
    this.failuresByOrigin.clear(failureKey(username, ctx));
    const exp = nowSec() + this.deps.settings.sessionTtlSec;
    const { token, claims } = this.deps.signer.issue({ sub: username, typ: 'session', exp, pwv: account.passwordVersion });
    const expiresAt = new Date(exp * 1000).toISOString();
    const actor = { id: username, role: account.role, orgUnit: account.orgUnit, ...(ctx.actor.origin ? { origin: ctx.actor.origin } : {}) };
    await this.append(username, [{ type: 'tally.account.logged-in', data: { username, jti: claims.jti, expiresAt } }], { ...ctx, actor }, 'any');
    return { token, expiresAt, principal: principalOf(account, claims) };
  }

  /**
   * A session token for an account, without a password: for in-process tools (the demo loader). Never exposed
   * over the API; what the holder does is recorded under the account's name like any other call.
   */
  async sessionTokenFor(username: string, options: { internal?: boolean } = {}): Promise<string> {
    const account = await this.account(username);
    if (account.disabled) throw new TallyError('INVALID_TRANSITION', `account ${username} is disabled`);
    const { token, claims } = this.deps.signer.issue({ sub: username, typ: 'session', exp: nowSec() + this.deps.settings.sessionTtlSec, pwv: account.passwordVersion });
    if (options.internal) this.internalJtis.add(claims.jti);
    return token;
  }

  /**
   * Whether a principal is this process's own loader (a token from `sessionTokenFor(..., {internal: true})`,
   * which never leaves the process): internal loading is not rate limited like a client.
   */
  isInternal(principal: Principal): boolean {
    return this.internalJtis.has(principal.jti);
  }

  /**
   * The principal behind a bearer token, or null (bad signature, expired, revoked, disabled, password changed).
   * Service tokens (`service:<name>`, role `service`, national) are accepted only when `services` is set (gRPC).
   */
  async authenticate(token: string, options: { services?: boolean } = {}): Promise<Principal | null> {
    const claims = this.deps.signer.verify(token);
    if (!claims) return null;
    if (claims.typ === 'service') {
      if (!options.services || !isServicePrincipal(claims.sub)) return null;
      return { username: claims.sub, role: SERVICE_ROLE, orgUnit: NATIONAL, tokenKind: 'service', jti: claims.jti, exp: claims.exp };
    }
    const account = await this.registry.get(claims.sub);
    if (!account || account.disabled) return null;
    if (claims.typ === 'session') {
      if (claims.pwv !== account.passwordVersion || account.revoked[claims.jti]) return null;
    } else {
      const api = account.apiTokens[claims.jti];
      if (!api || api.revoked) return null;
    }
    return principalOf(account, claims);
  }

  /** Whether the account was issued this jti: an API token it holds, or a session from one of its sign-ins. */
  private async issuedTo(account: AccountState, jti: string): Promise<boolean> {
    if (account.apiTokens[jti] || account.revoked[jti]) return true;
    // sessions are not kept in the account's state; their sign-in events name them (an admin action: one read is fine)
    const events = await this.deps.store.readStream(accountStreamId(account.username));
    return events.some((e) => e.type === 'tally.account.logged-in' && (e.data as { jti?: unknown }).jti === jti);
  }

  // ---- password guessing (sign-in and password change share the limits and the audit)

  /** 429 while the username (from this origin, or from anywhere) has spent its failures. */
  private refuseIfBlocked(username: string, ctx: EventContext): void {
    const wait = Math.max(this.failuresByOrigin.blockedFor(failureKey(username, ctx)), this.failuresByUser.blockedFor(username));
    if (wait <= 0) return;
    this.deps.logger.warn({ username: isUsername(username) ? username : '<invalid>', origin: ctx.actor.origin ?? 'unknown' }, 'password check refused: too many failures');
    throw new TallyError('RATE_LIMITED', `too many failed password checks; retry in ${wait} s`, { retryAfterSec: wait });
  }

  /** Counts a failed password check and audits it as a `login-failed` event (a password change: its reason says so). */
  private async recordFailure(username: string, account: AccountState | undefined, cause: LoginFailed['data']['cause'], ctx: EventContext): Promise<void> {
    const origin = ctx.actor.origin ?? 'unknown';
    this.failuresByOrigin.record(failureKey(username, ctx));
    this.failuresByUser.record(username);
    this.deps.logger.warn({ username: isUsername(username) ? username : '<invalid>', origin, cause }, 'password check failed');
    const event = { type: 'tally.account.login-failed' as const, data: { username: isUsername(username) ? username : '<invalid>', cause } };
    if (account) await this.append(username, [event], ctx, 'any');
    else {
      await this.deps.store.append(UNKNOWN_ACCOUNT_STREAM, [newEvent(AUTH_SOURCE, UNKNOWN_ACCOUNT_STREAM, event, ctx)], 'any');
      this.deps.nudgeRelay?.();
    }
  }

  // ----

  private async requireUnit(orgUnit: string): Promise<void> {
    if (orgUnit === NATIONAL) return;
    const versions = await this.deps.hierarchy.versions();
    for (const v of versions) if (await this.deps.hierarchy.unit(v.id, orgUnit)) return;
    throw new TallyError('UNKNOWN_ORG_UNIT', `unknown org unit ${orgUnit}`);
  }

  /**
   * Appends account events through the one command handler (read, append with the version read, retry a lost
   * race). 'no_stream' refuses an account stream that exists; 'any' appends whatever the stream holds.
   */
  private async append(username: string, events: AccountEvent[], ctx: EventContext, expected: 'no_stream' | 'any'): Promise<void> {
    const stream = accountStreamId(username);
    await handleCommand(this.deps.store, stream, accountStream, (_state, read) => {
      if (expected === 'no_stream' && read.version > 0) throw new StreamVersionConflictError(stream, expected, read.version);
      return { append: events.map((e) => newEvent(AUTH_SOURCE, stream, e, ctx)), result: () => undefined };
    });
    this.deps.nudgeRelay?.();
    await this.registry.refresh(username);
  }
}

const failureKey = (username: string, ctx: EventContext): string => `${username}|${ctx.actor.origin ?? 'unknown'}`;

function principalOf(account: AccountState, claims: TokenClaims): Principal {
  return { username: account.username, role: account.role, orgUnit: account.orgUnit, tokenKind: claims.typ, jti: claims.jti, exp: claims.exp };
}

export function viewOf(a: AccountState): AccountView {
  return {
    username: a.username,
    role: a.role,
    orgUnit: a.orgUnit,
    email: a.email ?? null,
    disabled: a.disabled,
    createdAt: a.createdAt,
    apiTokens: Object.values(a.apiTokens).map(({ jti, name, expiresAt, revoked }) => ({ jti, name, expiresAt, revoked })),
  };
}
