import { describe, expect, it } from 'vitest';
import { datasetIdOf, datasetMeta, FIELDS, LICENCE } from '../src/datasets';

describe('open-data: dataset metadata', () => {
  it('names each template dataset with a stable, URL-safe id', () => {
    expect(datasetIdOf('M1719_Q_CAPITAL')).toBe('province-rollups-m1719-q-capital');
  });

  it('given progress, then the metadata carries its version, periods, licence and both distributions', () => {
    const meta = datasetMeta(undefined, 'M1719_S', { version: 42, periods: ['2025S2', '2026S1'], updatedAt: '2026-07-01T00:00:00.000Z' });
    expect(meta).toMatchObject({ id: 'province-rollups-m1719-s', version: 42, periods: ['2025S2', '2026S1'], licence: LICENCE, fields: FIELDS });
    expect(meta.distributions.map((d) => d.url)).toEqual(['/api/v1/open-data/datasets/province-rollups-m1719-s.csv', '/api/v1/open-data/datasets/province-rollups-m1719-s.json']);
  });
});
