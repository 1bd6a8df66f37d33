/**
 * Progress of a long command-line job (rebuild, restore, import, bench): a bar redrawn in place on a terminal,
 * and plain lines when the output is a file or a pipe (CI logs), at most one every `lineEveryMs`.
 */
export interface ProgressOutput {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export interface Progress {
  update(done: number, total?: number): void;
  finish(message?: string): void;
}

export interface ProgressOptions {
  out?: ProgressOutput;
  now?: () => number;
  /** plain output: the shortest interval between two lines */
  lineEveryMs?: number;
  /** terminal: the shortest interval between two redraws */
  redrawEveryMs?: number;
}

export function renderBar(label: string, done: number, total: number, width: number): string {
  const ratio = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const counts = `${Math.round(ratio * 100)
    .toString()
    .padStart(3)}% ${done}/${total}`;
  const barWidth = Math.max(10, Math.min(40, width - label.length - counts.length - 4));
  const filled = Math.round(ratio * barWidth);
  return `${label} [${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${counts}`;
}

export function startProgress(label: string, total: number, options: ProgressOptions = {}): Progress {
  const out = options.out ?? process.stderr;
  const now = options.now ?? Date.now;
  const tty = out.isTTY === true;
  const every = tty ? (options.redrawEveryMs ?? 100) : (options.lineEveryMs ?? 5_000);
  let last = -Infinity;
  let current = { done: 0, total };
  const draw = (): void => {
    const line = renderBar(label, current.done, current.total, out.columns ?? 80);
    out.write(tty ? `\r${line}` : `${line}\n`);
  };
  return {
    update(done, newTotal) {
      current = { done, total: newTotal ?? current.total };
      if (now() - last < every) return;
      last = now();
      draw();
    },
    finish(message) {
      draw();
      if (tty) out.write('\n');
      if (message) out.write(`${message}\n`);
    },
  };
}
