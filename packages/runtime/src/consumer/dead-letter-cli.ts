import type { EventBus } from '@tally/eventbus';
import { listDeadLetters, replayDeadLetters } from './dead-letter-admin';

export const DEAD_LETTER_CLI_USAGE =
  'pnpm tally dead-letters list [--all] [--json]      dead letters not yet replayed (--all: replayed ones too)\n' +
  'pnpm tally dead-letters replay [<id>...]           send them (all not yet replayed, or the ids given) back to the groups that failed them\n';

/** `pnpm tally dead-letters list|replay`: returns the exit code. */
export async function runDeadLetterCli(bus: EventBus, args: string[], print: (text: string) => void): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'list' && action !== 'replay') {
    print(DEAD_LETTER_CLI_USAGE);
    return 2;
  }
  const flags = new Set(rest.filter((a) => a.startsWith('--')));
  const ids = rest.filter((a) => !a.startsWith('--'));
  const letters = await listDeadLetters(bus);
  if (action === 'list') {
    const shown = flags.has('--all') ? letters : letters.filter((l) => l.replayedAt === null);
    if (flags.has('--json')) {
      print(JSON.stringify(shown, null, 2) + '\n');
      return 0;
    }
    if (shown.length === 0) print('no dead letters\n');
    for (const l of shown) {
      print(
        `${l.id}  ${l.at}  group=${l.group}  ${l.topic}[${l.partition}]@${l.offset}  ${l.event.type} ${l.event.subject} v${l.event.streamVersion} ` +
          `position=${l.event.position}  attempts=${l.attempts}${l.replayedAt ? `  replayed=${l.replayedAt}` : ''}\n    ${l.error.name}: ${l.error.message}\n`,
      );
    }
    return 0;
  }
  const unknown = ids.filter((id) => !letters.some((l) => l.id === id));
  if (unknown.length > 0) {
    print(`no dead letter ${unknown.join(', ')}\n`);
    return 1;
  }
  const chosen = ids.length > 0 ? letters.filter((l) => ids.includes(l.id)) : letters.filter((l) => l.replayedAt === null);
  const n = await replayDeadLetters(bus, chosen);
  print(`replayed ${n} dead letter(s)\n`);
  return 0;
}
