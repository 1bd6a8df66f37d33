import { ApiError, post } from './api';

/**
 * The offline queue: a report that could not be sent (no connection) is kept in IndexedDB under its
 * submissionId and sent when the connection returns. The submissionId is fixed when the form is filled, so a
 * resend after a lost answer is the same submission (the server answers the first result and changes
 * nothing): sent exactly once. One flush at a time.
 */
export interface OutboxItem {
  submissionId: string;
  body: Record<string, unknown> & { template: string; orgUnit: string; period: string };
  createdAt: string;
  state: 'pending' | 'sent' | 'refused';
  attempts: number;
  sentAt?: string;
  reportId?: string;
  error?: { code: string; message: string };
}

const DB = 'tally';
const STORE = 'outbox';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'submissionId' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx<T>(mode: IDBTransactionMode, run: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const t = db.transaction(STORE, mode);
      const req = run(t.objectStore(STORE));
      t.oncomplete = () => resolve(req.result);
      t.onerror = () => reject(t.error);
    });
  } finally {
    db.close();
  }
}

export const listOutbox = async (): Promise<OutboxItem[]> =>
  (await tx<OutboxItem[]>('readonly', (s) => s.getAll() as IDBRequest<OutboxItem[]>)).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
const save = (item: OutboxItem) => tx('readwrite', (s) => s.put(item));
export const removeFromOutbox = (submissionId: string) => tx('readwrite', (s) => s.delete(submissionId));

export async function enqueue(body: OutboxItem['body'] & { submissionId: string }): Promise<void> {
  await save({ submissionId: body.submissionId, body, createdAt: new Date().toISOString(), state: 'pending', attempts: 0 });
  notify();
}

const listeners = new Set<() => void>();
export function onOutboxChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
function notify(): void {
  for (const l of listeners) l();
}

let flushing: Promise<void> | null = null;

/** Sends every pending item once; a network failure leaves it pending, a refusal marks it refused with the reason. */
export function flushOutbox(): Promise<void> {
  flushing ??= (async () => {
    try {
      for (const item of await listOutbox()) {
        if (item.state !== 'pending') continue;
        item.attempts++;
        try {
          const answer = await post<{ reportId: string }>('/reports', item.body);
          item.state = 'sent';
          item.sentAt = new Date().toISOString();
          item.reportId = answer.reportId;
        } catch (err) {
          if (!(err instanceof ApiError) || err.network || err.status === 429 || err.status >= 500) {
            await save(item);
            break; // still offline or busy: try again later, in order
          }
          item.state = 'refused';
          item.error = { code: err.code, message: err.message };
        }
        await save(item);
        notify();
      }
    } finally {
      flushing = null;
      notify();
    }
  })();
  return flushing;
}

/** Flushes when the connection returns, and once now. */
export function startOutbox(): void {
  window.addEventListener('online', () => void flushOutbox());
  if (navigator.onLine) void flushOutbox();
}

/** A fresh submission id (getRandomValues: also on plain http, where crypto.randomUUID is missing). */
export function newSubmissionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `web-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
