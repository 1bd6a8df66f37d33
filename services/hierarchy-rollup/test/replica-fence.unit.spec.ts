import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteReadStore, type ReadStore } from '@tally/readstore';
import { waitFor } from '@tally/testkit/conformance';
import { REPLICA_FENCE_COLLECTION, ReplicaFence, type ReplicaDoc } from '../src/replica-fence';

/**
 * The cross-replica fence of hierarchy moves: replicas of hierarchy-rollup that share one read store (here one
 * SQLite store, as two processes share one MongoDB). A move runs with no report batch in flight in any live
 * replica, none starts until it ends, and two replicas never move at once.
 */
const stores: ReadStore[] = [];
const fences: ReplicaFence[] = [];
afterEach(async () => {
  for (const f of fences.splice(0)) await f.stop();
  for (const s of stores.splice(0)) await s.close();
});

function replicasOn(n: number, ttlMs = 1_000) {
  const store = openSqliteReadStore(':memory:');
  stores.push(store);
  const replicas = store.collection<ReplicaDoc>(REPLICA_FENCE_COLLECTION);
  const made = Array.from({ length: n }, (_, i) => new ReplicaFence({ replicas, replicaId: `r${i}`, ttlMs, pollMs: 10 }));
  fences.push(...made);
  return { replicas, fences: made };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('hierarchy-rollup replica fence', () => {
  it('a move waits for a report batch in flight in another replica, and that replica starts no batch until the move ends', async () => {
    const { replicas, fences: [a, b] } = replicasOn(2);
    await Promise.all([a!.start(), b!.start()]);
    const log: string[] = [];
    const release = deferred();
    const inFlight = b!.lock.shared(async () => {
      log.push('b batch 1 starts');
      await release.promise;
      log.push('b batch 1 ends');
    });
    await waitFor(() => log.length === 1, 5_000, 'the batch on b to start');
    const move = a!.exclusive(async () => {
      log.push('a moves');
      log.push('a moved');
    });
    await waitFor(async () => ((await replicas.get('r0'))?.moving ?? 0) > 0, 5_000, "a's move flag");
    await waitFor(() => !b!.admits(), 5_000, "b's gate to close");
    const later = b!.lock.shared(async () => void log.push('b batch 2'));
    expect(log).toEqual(['b batch 1 starts']); // the move waits for the batch in flight
    release.resolve();
    await Promise.all([inFlight, move, later]);
    expect(log).toEqual(['b batch 1 starts', 'b batch 1 ends', 'a moves', 'a moved', 'b batch 2']);
    expect(b!.gateClosings()).toBeGreaterThan(0); // b reads the map again before its next batch
  });

  it('two replicas that move at the same time take turns', async () => {
    const { fences: all } = replicasOn(3);
    await Promise.all(all.map((f) => f.start()));
    let moving = 0;
    let most = 0;
    const order: string[] = [];
    const moveOn = (f: ReplicaFence, name: string) =>
      f.exclusive(async () => {
        moving++;
        most = Math.max(most, moving);
        order.push(name);
        // give the other replicas' loops time to run while this one holds the fence
        for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 5));
        moving--;
      });
    await Promise.all([moveOn(all[0]!, 'r0'), moveOn(all[1]!, 'r1'), moveOn(all[2]!, 'r2'), moveOn(all[1]!, 'r1 again')]);
    expect(most).toBe(1);
    expect(order.sort()).toEqual(['r0', 'r1', 'r1 again', 'r2']);
  });

  it("a replica that died holds a move up only until its registration lapses, and a stopped one not at all", async () => {
    const { replicas, fences: [a, b] } = replicasOn(2, 600);
    await Promise.all([a!.start(), b!.start()]);
    await b!.stop(); // graceful: its registration is gone at once
    expect(await replicas.get('r1')).toBeNull();
    const expiresAt = Date.now() + 300;
    await replicas.put({ _id: 'dead', expiresAt, moving: 0, acks: {} }); // a SIGKILLed replica's last renewal
    let movedAt = 0;
    await a!.exclusive(async () => void (movedAt = Date.now()));
    // it never acknowledged: the mover went ahead only once it was no longer live (ttl/3 of grace for clocks)
    expect(movedAt).toBeGreaterThanOrEqual(expiresAt + 200);
  });

  it('a replica starts no report batch before it has registered', async () => {
    const { fences: [a] } = replicasOn(1);
    expect(a!.admits()).toBe(false);
    await a!.start();
    expect(a!.admits()).toBe(true);
  });
});
