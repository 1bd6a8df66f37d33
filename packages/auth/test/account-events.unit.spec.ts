import { describe, expect, it } from 'vitest';
import { readEvent } from '@tally/core';
import { ACCOUNT_EVENT_SCHEMA, accountStream, evolveAccount, type AccountEvent, type AccountState } from '../src/account-events';

const events: Array<{ e: AccountEvent; time: string }> = [
  { e: { type: 'tally.account.created', data: { username: 'lan', role: 'commune_officer', orgUnit: '00004', passwordHash: 'h1' } }, time: '2026-01-01T00:00:00.000Z' },
  { e: { type: 'tally.account.token-revoked', data: { username: 'lan', jti: 'old', expiresAt: '2026-01-01T01:00:00.000Z' } }, time: '2026-01-01T00:30:00.000Z' },
  { e: { type: 'tally.account.token-revoked', data: { username: 'lan', jti: 'new', expiresAt: '2026-01-02T01:00:00.000Z' } }, time: '2026-01-01T02:00:00.000Z' },
  { e: { type: 'tally.account.password-changed', data: { username: 'lan', passwordHash: 'h2' } }, time: '2026-01-01T03:00:00.000Z' },
];
const fold = (): AccountState | null => events.reduce<AccountState | null>((s, { e, time }, i) => evolveAccount(s, e, { time, streamVersion: i + 1 }), accountStream.initialState());

describe('the account stream', () => {
  it('given its events, then the state follows them, with time taken from the events (a replay today or in a year is the same)', () => {
    const state = fold();
    expect(state).toMatchObject({ username: 'lan', createdAt: '2026-01-01T00:00:00.000Z', passwordVersion: 2, passwordHash: 'h2', version: 4 });
    // the first revocation had lapsed when the second was recorded, so it is dropped, whatever the clock says now
    expect(state!.revoked).toEqual({ new: '2026-01-02T01:00:00.000Z' });
    expect(fold()).toEqual(state);
  });

  it('reads stored account events through the schema; the index stream’s events are not account events', () => {
    expect(readEvent(ACCOUNT_EVENT_SCHEMA, { type: 'tally.account.disabled', schemaVersion: 1, data: { username: 'lan' } })).toEqual({ type: 'tally.account.disabled', data: { username: 'lan' } });
    expect(readEvent(ACCOUNT_EVENT_SCHEMA, { type: 'tally.account.registered', schemaVersion: 1, data: { username: 'lan' } })).toBeNull();
  });
});
