import { describe, expect, it } from 'vitest';
import { renderBar, startProgress } from '../src/cli/progress';

describe('CLI progress', () => {
  it('draws a bar with percent and counts', () => {
    expect(renderBar('replay', 50, 200, 60)).toMatch(/^replay \[#+\.+\] {2}25% 50\/200$/);
    expect(renderBar('replay', 0, 0, 60)).toContain('0% 0/0');
  });

  it('redraws in place on a terminal, ending with a new line', () => {
    const written: string[] = [];
    let t = 0;
    const p = startProgress('replay', 10, { out: { isTTY: true, columns: 60, write: (s) => written.push(s) }, now: () => t });
    p.update(1);
    t += 200;
    p.update(5);
    p.finish('done');
    expect(written.slice(0, 3).every((s) => s.startsWith('\r'))).toBe(true);
    expect(written.at(-2)).toBe('\n');
    expect(written.at(-1)).toBe('done\n');
  });

  it('writes plain, throttled lines when the output is not a terminal', () => {
    const written: string[] = [];
    let t = 0;
    const p = startProgress('import', 100, { out: { isTTY: false, write: (s) => written.push(s) }, now: () => t, lineEveryMs: 1000 });
    for (let i = 1; i <= 100; i++) {
      t += 50;
      p.update(i);
    }
    p.finish();
    // 5 s of updates at one line a second at most, plus the final line
    expect(written.length).toBeLessThanOrEqual(7);
    expect(written.every((s) => !s.includes('\r') && s.endsWith('\n'))).toBe(true);
    expect(written.at(-1)).toContain('100% 100/100');
  });
});
