import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePortBlock, freePorts } from '../src/infra/ports';

const bind = (port: number) =>
  new Promise<void>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => s.close(() => resolve()));
  });

describe('free ports for the harness', () => {
  it('hands out distinct ports when asked for several at once (a broker and its controller must differ)', async () => {
    for (let round = 0; round < 20; round++) {
      const ports = await freePorts(3);
      expect(new Set(ports).size).toBe(3);
      await Promise.all(ports.map(bind));
    }
  });

  it('takes port blocks below the ephemeral range, where no client socket lands, and every port of it binds', async () => {
    const base = await freePortBlock(20);
    expect(base).toBeGreaterThanOrEqual(20_000);
    expect(base + 19).toBeLessThan(32_768);
    for (let i = 0; i < 20; i++) await bind(base + i);
  });
});
