import { describe, expect, it } from 'vitest';
import { distributedPorts } from '../src/distributed/ports';
import { restartDelayMs } from '../src/distributed/supervision';

/** Where `pnpm start:distributed` listens, from the environment (README, Configuration). */
describe('distributedPorts', () => {
  it('defaults: gateway 8080 on 0.0.0.0, services HTTP 8081-8086 and gRPC 9091-9096', () => {
    const p = distributedPorts({});
    expect(p.gateway).toEqual({ port: 8080, host: '0.0.0.0' });
    expect(p.services.indicator).toEqual({ http: 8081, grpc: 9091 });
    expect(p.services['open-data']).toEqual({ http: 8086, grpc: 9096 });
  });

  it('moves every port: PORT, HTTP_HOST, TALLY_HTTP_BASE_PORT, GRPC_PORT as a base, one service alone', () => {
    const p = distributedPorts({
      PORT: '18080',
      HTTP_HOST: '127.0.0.1',
      TALLY_HTTP_BASE_PORT: '18100',
      GRPC_PORT: '19090',
      HIERARCHY_ROLLUP_GRPC_PORT: '19500',
      OPEN_DATA_HTTP_PORT: '18500',
    });
    expect(p.gateway).toEqual({ port: 18080, host: '127.0.0.1' });
    expect(p.services.indicator).toEqual({ http: 18101, grpc: 19091 });
    expect(p.services['hierarchy-rollup']).toEqual({ http: 18102, grpc: 19500 });
    expect(p.services['open-data']).toEqual({ http: 18500, grpc: 19096 });
    // without TALLY_HTTP_BASE_PORT the services follow the gateway's port; HTTP_PORT wins over PORT, as for one service
    expect(distributedPorts({ HTTP_PORT: '7000', PORT: '6000' }).services.ingestion.http).toBe(7003);
  });

  it('refuses a value that is not a port, and two uses of one port', () => {
    expect(() => distributedPorts({ GRPC_PORT: 'abc' })).toThrow(/GRPC_PORT=abc is not a port/);
    expect(() => distributedPorts({ PORT: '70000' })).toThrow(/not a port/);
    expect(() => distributedPorts({ PORT: '9090' })).toThrow(/port 9091 is given to both/);
    expect(() => distributedPorts({ INDICATOR_HTTP_PORT: '8080' })).toThrow(/port 8080 is given to both the gateway and indicator/);
    expect(() => distributedPorts({ GRPC_PORT: '65533' })).toThrow(/choose a lower base port/);
  });
});

describe('restartDelayMs', () => {
  it('doubles from 1 s up to 30 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50].map((n) => restartDelayMs(n))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    expect(restartDelayMs(2, { initialDelayMs: 100, maxDelayMs: 250 })).toBe(250);
  });
});
