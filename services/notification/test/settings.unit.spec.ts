import { ConfigError } from '@tally/runtime';
import { describe, expect, it } from 'vitest';
import { loadNotificationSettings } from '../src/settings';

describe('loadNotificationSettings', () => {
  it('reads the reminder offsets and the numeric settings', () => {
    const s = loadNotificationSettings({ TALLY_REMINDER_OFFSETS: '14, 2', TALLY_DELIVERY_MAX_ATTEMPTS: '4', TALLY_OVERDUE_WINDOW_DAYS: '60' });
    expect(s.deadlines).toEqual({ reminderOffsets: [14, 2], overdueWindowDays: 60 });
    expect(s.maxAttempts).toBe(4);
  });

  it('refuses values it cannot understand with a ConfigError naming the variable', () => {
    expect(() => loadNotificationSettings({ TALLY_REMINDER_OFFSETS: '7,0' })).toThrow(ConfigError);
    expect(() => loadNotificationSettings({ TALLY_REMINDER_OFFSETS: '7,x' })).toThrow(/^TALLY_REMINDER_OFFSETS must be whole days/);
    expect(() => loadNotificationSettings({ TALLY_DELIVERY_BACKOFF_MS: '5s' })).toThrow('TALLY_DELIVERY_BACKOFF_MS must be a non-negative integer; got "5s"');
  });
});
