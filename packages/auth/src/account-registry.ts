import type { StoredEvent } from '@tally/contracts';
import { readEvent } from '@tally/core';
import type { EventStore } from '@tally/eventstore';
import { ACCOUNT_EVENT_SCHEMA, ACCOUNT_INDEX_STREAM, accountStreamId, evolveAccount, type AccountState } from './account-events';
import { isUsername } from './roles';

/**
 * Every account in memory, rebuilt from the event store at start (the index stream names them; one read per
 * account). Writes in this process update it at once; an entry older than `staleAfterMs` is read again from its
 * stream before use, so accounts created, disabled or revoked by another process (the CLI, another instance)
 * are seen within that time.
 */
export class AccountRegistry {
  private readonly accounts = new Map<string, { state: AccountState; loadedAt: number }>();

  constructor(
    private readonly store: EventStore,
    private readonly staleAfterMs = 15_000,
  ) {}

  async load(): Promise<void> {
    const names = new Set<string>();
    for (const e of await this.store.readStream(ACCOUNT_INDEX_STREAM)) {
      const username = (e.data as { username?: unknown }).username;
      if (isUsername(username)) names.add(username);
    }
    for (const name of names) await this.refresh(name);
  }

  /** The account, re-read from its stream when unknown here or stale. */
  async get(username: string): Promise<AccountState | undefined> {
    if (!isUsername(username)) return undefined;
    const entry = this.accounts.get(username);
    if (entry && Date.now() - entry.loadedAt < this.staleAfterMs) return entry.state;
    return this.refresh(username);
  }

  /** Without a store read: what this process knows. */
  peek(username: string): AccountState | undefined {
    return this.accounts.get(username)?.state;
  }

  all(): AccountState[] {
    return [...this.accounts.values()].map((e) => e.state).sort((a, b) => (a.username < b.username ? -1 : 1));
  }

  async refresh(username: string): Promise<AccountState | undefined> {
    const entry = this.accounts.get(username);
    const from = entry ? entry.state.version + 1 : 1;
    const events = await this.store.readStream(accountStreamId(username), from);
    const state = this.fold(entry?.state ?? null, events);
    if (state) this.accounts.set(username, { state, loadedAt: Date.now() });
    return state ?? undefined;
  }

  /** Applies events this process just appended. */
  apply(username: string, events: StoredEvent[]): void {
    const state = this.fold(this.accounts.get(username)?.state ?? null, events);
    if (state) this.accounts.set(username, { state, loadedAt: Date.now() });
  }

  private fold(state: AccountState | null, events: StoredEvent[]): AccountState | null {
    let s = state;
    for (const e of events) {
      if (s && e.streamVersion <= s.version) continue;
      const event = readEvent(ACCOUNT_EVENT_SCHEMA, e);
      if (event) s = evolveAccount(s, event, { time: e.time, streamVersion: e.streamVersion });
    }
    return s;
  }
}
