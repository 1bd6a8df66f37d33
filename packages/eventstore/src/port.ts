import type { ErrorCode, EventEnvelope, StoredEvent } from '@tally/contracts';
import type { LeaseStore } from './relay-lease';

/**
 * What a writer knows about the stream before it appends:
 * - a number: the stream's current version (0 = no events yet); anything else is a conflict
 * - 'no_stream': the stream must not exist
 * - 'any': no concurrency check
 */
export type ExpectedVersion = number | 'no_stream' | 'any';

/** An event to append: the store assigns streamVersion and position. */
export type NewEvent = EventEnvelope;

export interface AppendResult {
  /** the stream's version after the append (= streamVersion of the last appended event) */
  nextVersion: number;
  /** global position of each appended event, in order */
  positions: number[];
}

/**
 * Thrown (from any adapter) when the expected version does not match: the one typed conflict. Its code is the
 * generic one; the HTTP/gRPC edge answers `REPORT_VERSION_CONFLICT` when the stream is a report's (versionConflictCode).
 */
export class StreamVersionConflictError extends Error {
  readonly code = 'STREAM_VERSION_CONFLICT' satisfies ErrorCode;
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
    readonly actual: number,
  ) {
    super(`stream ${streamId}: expected version ${String(expected)}, actual ${actual}`);
    this.name = 'StreamVersionConflictError';
  }
}

/** The event store; it also keeps the relay's lease (relay-lease.ts), next to the relay's checkpoint. */
/** Type guard for the one conflict error, whichever adapter threw it. */
export const isStreamVersionConflict = (e: unknown): e is StreamVersionConflictError => e instanceof StreamVersionConflictError;

export interface EventStore extends LeaseStore {
  /** Atomically appends all events to one stream, or none. Durable when the promise resolves. */
  append(streamId: string, events: NewEvent[], expectedVersion: ExpectedVersion): Promise<AppendResult>;
  /** The events of one stream, in version order, from `fromVersion` (1-based, inclusive). */
  readStream(streamId: string, fromVersion?: number): Promise<StoredEvent[]>;
  /** Current version of a stream, 0 if it does not exist. */
  streamVersion(streamId: string): Promise<number>;
  /** Events of every stream in global position order, strictly after `afterPosition`. */
  readAll(afterPosition: number, limit: number): Promise<StoredEvent[]>;
  /** The highest position appended so far (0 when empty). */
  headPosition(): Promise<number>;

  // The outbox: events are their own outbox; the store records how far they were published.
  /** The relay's checkpoint: every event with position <= it was published. */
  publishedPosition(): Promise<number>;
  /** Moves the relay's checkpoint forward (never back). */
  markPublished(position: number): Promise<void>;

  close(): Promise<void>;
}
