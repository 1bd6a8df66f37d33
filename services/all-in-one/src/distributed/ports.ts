import { SERVICE_NAMES, type ServiceName } from './routes';

/** Where `pnpm start:distributed` listens: the gateway, and each service's HTTP and gRPC ports. */
export interface DistributedPorts {
  gateway: { port: number; host: string };
  services: Record<ServiceName, { http: number; grpc: number }>;
}

/**
 * Ports from the environment (README, Configuration): HTTP_PORT / PORT for the gateway (8080), HTTP_HOST for
 * its address (0.0.0.0); the services' HTTP ports follow TALLY_HTTP_BASE_PORT (default: the gateway's port)
 * and their gRPC ports GRPC_PORT (9090), +1..+6 in SERVICE_NAMES order; `<SERVICE>_HTTP_PORT` and
 * `<SERVICE>_GRPC_PORT` (e.g. HIERARCHY_ROLLUP_GRPC_PORT) place one service anywhere. Throws on a value that
 * is not a port, or when two of them collide.
 */
export function distributedPorts(env: Record<string, string | undefined>): DistributedPorts {
  const gatewayPort = port(env, 'HTTP_PORT') ?? port(env, 'PORT') ?? 8080;
  const httpBase = port(env, 'TALLY_HTTP_BASE_PORT') ?? gatewayPort;
  const grpcBase = port(env, 'GRPC_PORT') ?? 9090;
  const services = Object.fromEntries(
    SERVICE_NAMES.map((s, i) => {
      const prefix = s.toUpperCase().replace(/-/g, '_');
      return [s, { http: port(env, `${prefix}_HTTP_PORT`) ?? httpBase + i + 1, grpc: port(env, `${prefix}_GRPC_PORT`) ?? grpcBase + i + 1 }];
    }),
  ) as Record<ServiceName, { http: number; grpc: number }>;
  const used = new Map<number, string>([[gatewayPort, 'the gateway']]);
  for (const s of SERVICE_NAMES) {
    for (const kind of ['http', 'grpc'] as const) {
      const p = services[s][kind];
      const other = used.get(p);
      if (other) throw new Error(`port ${p} is given to both ${other} and ${s} (${kind}); see the README's Configuration`);
      if (p > 65_535) throw new Error(`${s}'s ${kind} port would be ${p}; choose a lower base port`);
      used.set(p, `${s} (${kind})`);
    }
  }
  return { gateway: { port: gatewayPort, host: env.HTTP_HOST?.trim() || '0.0.0.0' }, services };
}

function port(env: Record<string, string | undefined>, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65_535) throw new Error(`${name}=${raw} is not a port number (1-65535)`);
  return n;
}
