import type { ExpectedTotals, Workload } from '../workload';
import type { HttpClient } from './http';

export interface Verification {
  correct: boolean;
  /** units compared (VN + provinces) */
  unitsChecked: number;
  /** values compared */
  valuesChecked: number;
  received: number;
  mismatches: string[];
}

interface RollupBody {
  dataElements?: Record<string, number>;
  completeness?: Record<string, { received?: number }>;
}

/**
 * Compares the platform's final rollups with the generator's totals: VN and every province of the map,
 * every key (each value slot and each disaggregated element's total), and VN's completeness.received.
 * `after` makes each read wait until the rollups have applied that log position.
 */
export async function verifyTotals(client: HttpClient, w: Workload, expected: ExpectedTotals, after: number): Promise<Verification> {
  const mismatches: string[] = [];
  let valuesChecked = 0;
  let received = -1;
  const units = [{ unit: 'VN', want: expected.national }, ...w.provinces.map((p) => ({ unit: p, want: expected.byProvince[p] ?? {} }))];
  for (const { unit, want } of units) {
    let body: RollupBody | undefined;
    for (let attempt = 0; attempt < 30 && !body; attempt++) {
      const r = await client.request('GET', `/api/v1/rollups?orgUnit=${unit}&period=${w.period}&after=${after}`, undefined, 60_000).catch(() => undefined);
      if (r?.status === 200) body = r.body as RollupBody;
      else await new Promise((res) => setTimeout(res, 1_000));
    }
    if (!body) {
      mismatches.push(`${unit}: no rollup answer`);
      continue;
    }
    const got = body.dataElements ?? {};
    for (const [key, value] of Object.entries(want)) {
      valuesChecked++;
      if (got[key] !== value) mismatches.push(`${unit} ${key}: expected ${value}, got ${got[key]}`);
    }
    for (const key of Object.keys(got)) if (!(key in want)) mismatches.push(`${unit} ${key}: unexpected value ${got[key]}`);
    if (unit === 'VN') {
      received = Number(body.completeness?.[w.catalog.template]?.received ?? 0);
      if (received !== expected.reports) mismatches.push(`VN completeness.received: expected ${expected.reports}, got ${received}`);
    }
  }
  return { correct: mismatches.length === 0, unitsChecked: units.length, valuesChecked, received, mismatches };
}
