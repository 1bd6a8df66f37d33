import { afterEach, describe, expect, it, vi } from 'vitest';
import { announceIfSlow } from '../src/infra/process';

/** The harness announces a wait (building FerretDB, downloading Kafka) only when there is one. */
describe('announceIfSlow', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  function stderrLines(): string[] {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    return lines;
  }

  it('says nothing when the work finishes before the threshold', async () => {
    vi.useFakeTimers();
    const lines = stderrLines();
    let finish!: (v: string) => void;
    const result = announceIfSlow('building FerretDB', () => new Promise<string>((r) => (finish = r)), 5_000);
    await vi.advanceTimersByTimeAsync(4_000);
    finish('bin');
    expect(await result).toBe('bin');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(lines).toEqual([]);
  });

  it('announces work still running at the threshold, then says it is done', async () => {
    vi.useFakeTimers();
    const lines = stderrLines();
    let finish!: () => void;
    const result = announceIfSlow('building FerretDB', () => new Promise<void>((r) => (finish = r)), 5_000);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(lines).toEqual(['[tally-infra] building FerretDB...\n']);
    finish();
    await result;
    expect(lines[1]).toMatch(/^\[tally-infra\] building FerretDB: done in \d+ ms\n$/);
  });
});
