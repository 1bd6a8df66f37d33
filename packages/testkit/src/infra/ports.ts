import { createServer, type Server } from 'node:net';

/**
 * Free TCP ports on 127.0.0.1 for servers the harness starts. A port is only known free until someone binds
 * it, so two things matter: ports asked for together are held open together (the OS never hands the same
 * one out twice; asking one at a time can, and Kafka refuses a broker and controller on one port), and
 * blocks are taken below Linux's ephemeral range (32768+), where no client socket's local port lands.
 */

/** `count` distinct ports the OS says are free now. */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      ports.push(await listen(server, 0));
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

/** One free port. */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port!;
}

/** `size` consecutive free ports (launchers number their ports from a base). */
export async function freePortBlock(size: number): Promise<number> {
  const low = 20_000;
  const high = 32_000 - size;
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = low + Math.floor(Math.random() * (high - low));
    const free = await Promise.all(Array.from({ length: size }, (_, i) => isFree(base + i)));
    if (free.every(Boolean)) return base;
  }
  throw new Error(`no block of ${size} free ports between ${low} and ${high + size}`);
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.unref();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const addr = server.address();
      if (typeof addr === 'object' && addr) resolve(addr.port);
      else reject(new Error('no port'));
    });
  });
}

function isFree(port: number): Promise<boolean> {
  const server = createServer();
  return listen(server, port).then(
    () => new Promise<boolean>((resolve) => server.close(() => resolve(true))),
    () => false,
  );
}
