import * as grpc from '@grpc/grpc-js';
import { retrying, type RemoteClientOptions } from './retry';
import { promisifyUnary, QueryServiceClient, type IndicatorValue, type RollupQuery } from '@tally/contracts';

/** Rollups from the hierarchy-rollup service over gRPC (no cache: rollups change with every report). */
export function remoteRollupQuery(address: string, options: RemoteClientOptions = {}): RollupQuery & { close(): void } {
  const client = new QueryServiceClient(address, grpc.credentials.createInsecure());
  const getRollup = retrying(promisifyUnary(client, client.getRollup), options);
  return {
    async rollup(request) {
      const { rollup } = await getRollup({
        orgUnit: request.orgUnit,
        period: request.period,
        hierarchy: request.hierarchy ?? '',
        figures: request.figures ?? '',
        after: request.after ?? 0,
        asOf: request.asOf ?? '',
      });
      if (!rollup) throw new Error('empty rollup answer');
      const indicators: Record<string, IndicatorValue> = {};
      for (const [code, v] of Object.entries(rollup.indicators)) indicators[code] = { value: v.value ?? null, numerator: v.numerator ?? null, denominator: v.denominator ?? null };
      return {
        orgUnit: rollup.orgUnit,
        period: rollup.period,
        hierarchy: rollup.hierarchy,
        figures: rollup.figures as 'estimate' | 'official' | 'latest',
        dataElements: rollup.dataElements,
        indicators,
        completeness: rollup.completeness,
        position: rollup.position,
        asOf: rollup.asOf ?? null,
        estimated: rollup.estimated,
        estimatedBecause: rollup.estimatedBecause,
        remappedFrom: rollup.remappedFrom,
      };
    },
    close: () => client.close(),
  };
}
