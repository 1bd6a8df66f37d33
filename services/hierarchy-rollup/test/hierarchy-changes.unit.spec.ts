import { describe, expect, it } from 'vitest';
import type { EventContext } from '@tally/contracts';
import { Hierarchy, HierarchyRegistry, type HierarchyVersion, type OrgUnitInput } from '@tally/core';
import { openSqliteEventStore } from '@tally/eventstore';
import { LiveHierarchies, hierarchyStreamId } from '../src/hierarchies';

const version: HierarchyVersion = { id: '2025', validFrom: '2025-07-01', levels: ['country', 'province', 'commune'] };
const u = (code: string, level: string, parentCode: string | null): OrgUnitInput => ({ code, name: `Đơn vị ${code}`, type: level, level, parentCode });
const base = () => new HierarchyRegistry([new Hierarchy(version, [u('VN', 'country', null), u('01', 'province', 'VN'), u('02', 'province', 'VN'), u('00004', 'commune', '01')])]);
const ctx: EventContext = { actor: { id: 'admin' }, correlationId: 'c' };
const refusal = async (p: Promise<unknown>) => p.then(() => 'accepted', (err: { code?: string }) => err.code);

describe('hierarchy-rollup: hierarchy changes through the command handler', () => {
  it('given the shipped map, when a commune moves, then one change event and the live map follows it', async () => {
    const store = openSqliteEventStore(':memory:');
    const live = new LiveHierarchies(base(), store);
    const r = await live.change('2025', { kind: 'move', code: '00004', newParentCode: '02' }, ctx);
    expect(r.version).toBe(1);
    expect(live.registry().get('2025')!.get('00004')!.parentCode).toBe('02');
    expect(live.at('2025', r.position)!.get('00004')!.parentCode).toBe('01'); // the map just before the change
    expect((await store.readStream(hierarchyStreamId('2025'))).map((e) => e.data)).toEqual([{ hierarchy: '2025', change: { kind: 'move', code: '00004', newParentCode: '02' } }]);
  });

  it('decides on changes appended by another process (a second LiveHierarchies on the same store)', async () => {
    const store = openSqliteEventStore(':memory:');
    const here = new LiveHierarchies(base(), store);
    const there = new LiveHierarchies(base(), store);
    await there.change('2025', { kind: 'retire', code: '00004' }, ctx);
    // `here` has not read that change: the handler reads the stream, the change is decided on the current map
    expect(await refusal(here.change('2025', { kind: 'move', code: '00004', newParentCode: '02' }, ctx))).not.toBe('accepted');
    expect(await here.change('2025', { kind: 'rename', code: '02', name: 'Tỉnh Hai' }, ctx)).toMatchObject({ version: 2 });
  });

  it('refuses a change that breaks the structure, or an unknown map version, and appends nothing', async () => {
    const store = openSqliteEventStore(':memory:');
    const live = new LiveHierarchies(base(), store);
    expect(await refusal(live.change('2025', { kind: 'retire', code: '01' }, ctx))).toBeTypeOf('string');
    expect(await refusal(live.change('1999', { kind: 'retire', code: '01' }, ctx))).toBe('UNKNOWN_HIERARCHY');
    expect(await store.headPosition()).toBe(0);
  });
});
