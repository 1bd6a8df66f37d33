import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { listenWithAcceptors, reusePortSystem, type Listening } from '../src/http/listen-with-acceptors';

/** Node 22.12+ and 23.1+ set SO_REUSEPORT when listen() is asked for it; Node 20 ignores the option. */
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const nodeKnowsReusePort = major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
const groups = nodeKnowsReusePort && reusePortSystem();

async function get(port: number): Promise<number> {
  const r = await fetch(`http://127.0.0.1:${port}/ping`);
  await r.text();
  return r.status;
}

describe('listenWithAcceptors', () => {
  let app: FastifyInstance | undefined;
  let listening: Listening | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await listening?.close();
    await app?.close();
    app = undefined;
    listening = undefined;
  });

  async function start(): Promise<number> {
    app = Fastify();
    app.get('/ping', async () => ({ ok: true }));
    listening = await listenWithAcceptors(app, { port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (typeof address !== 'object' || !address) throw new Error('not listening');
    return address.port;
  }

  it(`serves on ${groups ? '8 sockets' : 'the one socket (this Node or system has no reusePort)'}, and closes`, async () => {
    const port = await start();
    expect(listening!.sockets).toBe(groups ? 8 : 1);
    const statuses = await Promise.all(Array.from({ length: 40 }, () => get(port)));
    expect(statuses.every((s) => s === 200)).toBe(true);
    await listening!.close();
    await app!.close();
    await expect(get(port)).rejects.toThrow();
  });

  it('refuses a port another server listens on, as one socket would (a second start fails instead of sharing it)', async () => {
    const port = await start();
    const second = Fastify();
    second.get('/ping', async () => ({ second: true }));
    await expect(listenWithAcceptors(second, { port, host: '127.0.0.1' })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await second.close();
    const statuses = await Promise.all(Array.from({ length: 20 }, () => get(port)));
    expect(statuses.every((s) => s === 200)).toBe(true);
  });

  it.skipIf(!groups)('accepts a burst of new connections in fewer loop iterations than connections while the loop is busy', async () => {
    const port = await start();
    // a loop busy 30 ms per iteration, as under load; each connection is stamped with the iteration that accepted it
    let iteration = 0;
    let spinning = true;
    const spin = () => {
      const until = Date.now() + 30;
      while (Date.now() < until);
      iteration++;
      if (spinning) setImmediate(spin);
    };
    const acceptedIn: number[] = [];
    app!.server.on('connection', () => acceptedIn.push(iteration));
    setImmediate(spin);
    const burst = 24;
    for (let i = 0; i < burst; i++) sockets.push(connect(port, '127.0.0.1'));
    const deadline = Date.now() + 10_000;
    while (acceptedIn.length < burst && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    spinning = false;
    expect(acceptedIn).toHaveLength(burst);
    // one listening socket takes one connection per iteration (libuv 1.45+): `burst` iterations; eight share them
    expect(new Set(acceptedIn).size).toBeLessThanOrEqual(burst / 2);
  });
});
