import { assertNever, type Decider } from '../decider/decider';
import type { SourcedStream } from '../decider/stream';
import type { EventSchema, ListsEvery } from '../decider/upcast';

/**
 * An account's notification preferences, one stream per account (`notification-prefs-<username>`): each
 * `tally.notification.preferences-set` carries the whole setting (what the command left out is kept from the
 * setting before, or the default), so the latest event alone says what is in force.
 */
export type NotificationChannel = 'inbox' | 'email';
export type InboxLanguage = 'vi' | 'en';

export interface PreferencesSetData {
  username: string;
  /** message kind (or '*') -> channels */
  channels: Record<string, NotificationChannel[]>;
  /** e-mail once a day instead of one e-mail per message */
  digest: boolean;
  language: InboxLanguage;
}

export type PreferencesSet = { type: 'tally.notification.preferences-set'; data: PreferencesSetData };
export type PreferencesEvent = PreferencesSet;

export const PREFERENCES_EVENT_TYPES = ['tally.notification.preferences-set'] as const satisfies readonly PreferencesEvent['type'][];
export const PREFERENCES_EVENT_TYPES_COMPLETE: ListsEvery<PreferencesEvent['type'], typeof PREFERENCES_EVENT_TYPES> = true;
export const PREFERENCES_EVENT_SCHEMA: EventSchema<PreferencesEvent> = { types: PREFERENCES_EVENT_TYPES };

export const prefsStreamId = (username: string): string => `notification-prefs-${username}`;

/** Without a setting: every kind in the inbox and by e-mail, one e-mail each, in Vietnamese. */
export const DEFAULT_PREFERENCES: Omit<PreferencesSetData, 'username'> = { channels: { '*': ['inbox', 'email'] }, digest: false, language: 'vi' };

/** Set some or all of an account's preferences. */
export type SetPreferences = { type: 'SetPreferences'; data: { username: string } & Partial<Omit<PreferencesSetData, 'username'>> };

export type PreferencesState = PreferencesSetData | null;

export function evolvePreferences(_state: PreferencesState, event: PreferencesEvent): PreferencesState {
  switch (event.type) {
    case 'tally.notification.preferences-set':
      return event.data;
    default:
      return assertNever(event.type, 'preferences event');
  }
}

export const preferencesStream = {
  schema: PREFERENCES_EVENT_SCHEMA,
  initialState: (): PreferencesState => null,
  evolve: evolvePreferences,
} satisfies SourcedStream<PreferencesState, PreferencesEvent>;

/** Every setting is recorded (the answer carries its position), merged over the one in force. */
export const preferencesDecider = {
  ...preferencesStream,
  decide: ({ data }: SetPreferences, state: PreferencesState): PreferencesEvent[] => {
    const before = state ?? DEFAULT_PREFERENCES;
    return [
      {
        type: 'tally.notification.preferences-set',
        data: { username: data.username, channels: data.channels ?? before.channels, digest: data.digest ?? before.digest, language: data.language ?? before.language },
      },
    ];
  },
} satisfies Decider<SetPreferences, PreferencesEvent, PreferencesState>;
