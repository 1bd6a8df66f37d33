/** Ranks values, highest first; equal values share a rank and the next rank skips (1, 2, 2, 4). Missing values last, unranked. */
export function rankDescending<T>(items: readonly T[], valueOf: (item: T) => number | null | undefined): Array<{ item: T; value: number | null; rank: number | null }> {
  const withValue = items.map((item) => ({ item, value: valueOf(item) ?? null }));
  const ranked = withValue.filter((x) => x.value !== null && Number.isFinite(x.value)).sort((a, b) => (b.value as number) - (a.value as number));
  const out: Array<{ item: T; value: number | null; rank: number | null }> = [];
  ranked.forEach((x, i) => {
    const previous = out[i - 1];
    out.push({ ...x, rank: previous && previous.value === x.value ? previous.rank : i + 1 });
  });
  for (const x of withValue) if (x.value === null || !Number.isFinite(x.value)) out.push({ ...x, value: null, rank: null });
  return out;
}

/** The periods from `from` to `to` inclusive, with `shift` (core's shiftPeriod); at most `max`. */
export function periodRange(from: string, to: string, shift: (code: string, n: number) => string | null, max = 12): string[] {
  const out: string[] = [];
  let p: string | null = from;
  while (p && out.length < max) {
    out.push(p);
    if (p === to) break;
    p = shift(p, 1);
  }
  return out;
}
