import { createServer, type Server as NetServer } from 'node:net';
import type { FastifyInstance, FastifyListenOptions } from 'fastify';

/**
 * Listening sockets that share the HTTP port (`reusePort`), each handing its connections to the app's server.
 *
 * Why: since libuv 1.45 (https://github.com/libuv/libuv/pull/3696) a listening socket accepts one connection per
 * event-loop iteration, and under load an iteration of the embedded platform lasts as long as its consumers' batches
 * (100-250 ms): new connections then wait in the kernel's queue, one iteration each (docs/performance.md, "New
 * connections wait for the loop"). The kernel spreads new connections over the sockets of a `reusePort` group, and
 * each socket accepts one per iteration, so N sockets accept up to N.
 *
 * `reusePort` needs a Node that knows it (22.12+, 23.1+; Node 20 does not) on Linux or FreeBSD; elsewhere the app
 * listens on its one socket, as without this. The kernel only lets processes of the same user join the group, and a
 * port something already listens on is refused first (probeFree), as with one socket.
 */
export interface AcceptorOptions {
  port: number;
  host: string;
  /** listening sockets in all, the app's own included (default 8) */
  sockets?: number;
}

export interface Listening {
  /** how many sockets accept connections for the app (1 where `reusePort` is not available) */
  sockets: number;
  /** stops the extra sockets listening (the app's own closes with `app.close()`, which also closes the connections) */
  close(): Promise<void>;
}

/**
 * Systems where the kernel has SO_REUSEPORT and Node sets it (elsewhere Node may end the process when asked: nodejs/node#61018).
 * Whether this Node knows the option is found by trying: a Node before 22.12 ignores it, and the second socket's
 * bind then fails (EADDRINUSE), which ends the attempt.
 */
export const reusePortSystem = (platform: NodeJS.Platform = process.platform): boolean => platform === 'linux' || platform === 'freebsd';

export async function listenWithAcceptors(app: FastifyInstance, options: AcceptorOptions): Promise<Listening> {
  const wanted = Math.max(1, Math.floor(options.sockets ?? 8));
  if (wanted === 1 || !reusePortSystem()) {
    await app.listen({ port: options.port, host: options.host });
    return { sockets: 1, close: async () => undefined };
  }
  // a port somebody listens on is refused as without reusePort: a second `pnpm start` must fail, not join the group
  if (options.port !== 0) await probeFree(options.port, options.host);
  // fastify hands its listen options to net.Server.listen (its types do not list reusePort)
  const own: FastifyListenOptions & { reusePort: boolean } = { port: options.port, host: options.host, reusePort: true };
  await app.listen(own);
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const extra: NetServer[] = [];
  for (let i = 1; i < wanted; i++) {
    // the app's server parses HTTP on the socket as if it had accepted it itself
    const acceptor = createServer({ noDelay: true }, (socket) => app.server.emit('connection', socket));
    const bound = await new Promise<boolean>((resolve) => {
      acceptor.once('error', () => resolve(false));
      acceptor.listen({ port, host: options.host, reusePort: true }, () => resolve(true));
    });
    if (!bound) {
      // Node without reusePort (the app's socket was bound without it), or the group refused one more: the sockets
      // bound so far serve
      acceptor.close();
      break;
    }
    // a failed accept (EMFILE) drops that connection; the others stay queued for the next iteration
    acceptor.on('error', () => undefined);
    extra.push(acceptor);
  }
  return {
    sockets: 1 + extra.length,
    // stops listening at once; its connections belong to the app's server, which closes them (a net.Server's close
    // callback would wait for every connection it accepted to end, keep-alive ones included)
    close: async () => {
      for (const s of extra) s.close();
    },
  };
}

/** Binds the port without reusePort and lets it go: rejects (EADDRINUSE) when any socket listens on it. */
function probeFree(port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}
