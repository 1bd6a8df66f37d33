import { useEffect, useState } from 'preact/hooks';
import { get } from './api';

const CHANGED = 'tally:inbox-changed';
const LANGUAGE_SAVED = 'tally:language-saved';
/** how often the menu asks for the unread count while the app is open */
const REFRESH_MS = 60_000;

/** Tells the menu that messages were read here, so its count follows at once. */
export function notifyInboxChanged(): void {
  window.dispatchEvent(new Event(CHANGED));
}

/** Tells the inbox that the account's language is saved: its messages are read again, in that language. */
export function notifyLanguageSaved(): void {
  window.dispatchEvent(new Event(LANGUAGE_SAVED));
}

/** A number that changes each time the account's language is saved (a dependency for reading messages again). */
export function useLanguageSaved(): number {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const saved = () => setTick((n) => n + 1);
    window.addEventListener(LANGUAGE_SAVED, saved);
    return () => window.removeEventListener(LANGUAGE_SAVED, saved);
  }, []);
  return tick;
}

/** The signed-in unit's unread messages (for the menu), refreshed every minute and after a message is read; null when unknown. */
export function useUnreadCount(enabled: boolean): number | null {
  const [count, setCount] = useState<number | null>(null);
  useEffect(() => {
    if (!enabled) return setCount(null);
    let live = true;
    const refresh = () =>
      void get<{ unread: number }>('/inbox', { unread: true, limit: 1 }).then(
        (r) => live && setCount(r.unread),
        () => undefined, // offline or signed out: keep the last count
      );
    refresh();
    const timer = setInterval(refresh, REFRESH_MS);
    window.addEventListener(CHANGED, refresh);
    return () => {
      live = false;
      clearInterval(timer);
      window.removeEventListener(CHANGED, refresh);
    };
  }, [enabled]);
  return count;
}
