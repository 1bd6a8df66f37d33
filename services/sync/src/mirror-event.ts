import { TallyError, type StoredEvent } from '@tally/contracts';
import { decideMirror } from '@tally/core';
import { StreamVersionConflictError, type EventStore } from '@tally/eventstore';
import { versionConflictCode } from '@tally/runtime';

export type MirrorOutcome = 'appended' | 'duplicate';

/**
 * Places an event from another deployment's log into this one's: same stream, same stream version, the original
 * envelope (id, actor, time, reason, correlation, trace). A resent event is a duplicate and changes nothing; an
 * event whose predecessor has not arrived is refused (SYNC_GAP), as is one whose place is taken by another event.
 */
export async function mirrorEvent(store: EventStore, event: StoredEvent): Promise<MirrorOutcome> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const local = await store.readStream(event.subject);
    const version = local.length === 0 ? 0 : local[local.length - 1]!.streamVersion;
    const decision = decideMirror(version, event, (v) => local.find((e) => e.streamVersion === v)?.id);
    switch (decision.kind) {
      case 'duplicate':
        return 'duplicate';
      case 'gap':
        throw new TallyError('SYNC_GAP', `${event.subject}: version ${event.streamVersion} arrived before version ${decision.missingFrom}`, { stream: event.subject, missingFrom: decision.missingFrom });
      case 'diverged':
        throw new TallyError(versionConflictCode(event.subject), `${event.subject}: version ${event.streamVersion} is already another event (${decision.localId}); both deployments wrote this stream`, {
          stream: event.subject,
        });
      case 'append': {
        const { streamVersion: _v, position: _p, ...envelope } = event;
        try {
          await store.append(event.subject, [envelope], version === 0 ? 'no_stream' : version);
          return 'appended';
        } catch (err) {
          if (!(err instanceof StreamVersionConflictError)) throw err;
        }
      }
    }
  }
  throw new TallyError(versionConflictCode(event.subject), `${event.subject}: the stream kept changing while an event was mirrored`);
}
