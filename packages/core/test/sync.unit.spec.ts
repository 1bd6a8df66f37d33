import { describe, expect, it } from 'vitest';
import { decideMirror, dueUpstream, isDownstreamOwned, isUpstreamOwnedRoute, lagOf } from '../src';

describe('mirroring an event into another log', () => {
  const ids: Record<number, string> = { 1: 'e1', 2: 'e2' };
  const at = (v: number) => ids[v];
  it('appends the next version, skips a resent one, refuses a gap or a different event at the same version', () => {
    expect(decideMirror(2, { id: 'e3', streamVersion: 3 }, at)).toEqual({ kind: 'append' });
    expect(decideMirror(0, { id: 'e1', streamVersion: 1 }, () => undefined)).toEqual({ kind: 'append' });
    expect(decideMirror(2, { id: 'e2', streamVersion: 2 }, at)).toEqual({ kind: 'duplicate' });
    expect(decideMirror(2, { id: 'e5', streamVersion: 5 }, at)).toEqual({ kind: 'gap', missingFrom: 3 });
    expect(decideMirror(2, { id: 'x', streamVersion: 1 }, at)).toEqual({ kind: 'diverged', localId: 'e1' });
  });
});

describe('what flows which way', () => {
  it('down: catalog, hierarchy changes, targets, tasks; never reports', () => {
    for (const t of ['tally.catalog.published', 'tally.hierarchy.changed', 'tally.target.set', 'tally.task.created']) expect(isDownstreamOwned(t)).toBe(true);
    expect(isDownstreamOwned('tally.report.submitted')).toBe(false);
  });
  it('up: every report event, or (approved only) a final approval or a lock', () => {
    expect(dueUpstream('all', { type: 'tally.report.amended', data: {} })).toBe(true);
    expect(dueUpstream('all', { type: 'tally.catalog.published', data: {} })).toBe(false);
    expect(dueUpstream('approved', { type: 'tally.report.submitted', data: {} })).toBe(false);
    expect(dueUpstream('approved', { type: 'tally.report.approved', data: { final: false } })).toBe(false);
    expect(dueUpstream('approved', { type: 'tally.report.approved', data: { final: true } })).toBe(true);
    expect(dueUpstream('approved', { type: 'tally.report.locked', data: {} })).toBe(true);
  });
  it('a linked deployment refuses local edits of the catalog, the map, targets and tasks; reads stay open', () => {
    expect(isUpstreamOwnedRoute('PUT', '/api/v1/catalog')).toBe(true);
    expect(isUpstreamOwnedRoute('PUT', '/api/v1/catalog/xlsx')).toBe(true);
    expect(isUpstreamOwnedRoute('POST', '/api/v1/hierarchies/:version/changes')).toBe(true);
    expect(isUpstreamOwnedRoute('PUT', '/api/v1/targets')).toBe(true);
    expect(isUpstreamOwnedRoute('POST', '/api/v1/tasks')).toBe(true);
    expect(isUpstreamOwnedRoute('GET', '/api/v1/catalog')).toBe(false);
    expect(isUpstreamOwnedRoute('GET', '/api/v1/tasks')).toBe(false);
    expect(isUpstreamOwnedRoute('POST', '/api/v1/reports')).toBe(false);
  });
  it('lag is how far the source log is ahead of the cursor', () => {
    expect(lagOf(120, 100)).toBe(20);
    expect(lagOf(100, 120)).toBe(0);
  });
});
