import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { openSqliteEventBus } from '@tally/eventbus';
import { deadLetterCases } from './dead-letter-cases';

describe('poison events on the embedded (SQLite) bus', () => {
  deadLetterCases(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tally-dlq-'));
    const bus = openSqliteEventBus(join(dir, 'bus.db'), { retryInitialMs: 5, retryMaxMs: 20 });
    return {
      bus,
      close: async () => {
        await bus.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }, 10_000);
});
