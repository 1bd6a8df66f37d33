/**
 * In-process wake-ups: a publish wakes every idle subscription on the same database file at once, even in
 * another SqliteEventBus instance, instead of waiting for its next poll. Other processes still find new
 * messages by polling.
 */
type Listener = () => void;

const channels = new Map<string, Set<Listener>>();

export function onPublish(channel: string, listener: Listener): () => void {
  let set = channels.get(channel);
  if (!set) {
    set = new Set();
    channels.set(channel, set);
  }
  set.add(listener);
  return () => {
    set.delete(listener);
    if (set.size === 0) channels.delete(channel);
  };
}

export function notifyPublished(channel: string): void {
  const set = channels.get(channel);
  if (!set) return;
  for (const listener of [...set]) listener();
}
