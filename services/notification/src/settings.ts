import { DEFAULT_DEADLINE_POLICY, type DeadlinePolicy } from '@tally/core';
import { ConfigError, intSetting } from '@tally/runtime';
import { parseAllowList, type AllowList } from './allow-list';

/** The notification service's settings (environment variables, overridable in tests). */
export interface NotificationSettings {
  /** TALLY_SMTP_URL, e.g. smtp://host:25 (smtps:// for TLS); absent: no e-mail channel */
  smtpUrl: string | null;
  /** TALLY_SMTP_FROM */
  mailFrom: string;
  /** TALLY_WEBHOOK_ALLOW: hosts, host:port and CIDR ranges a webhook may call besides public addresses */
  webhookAllow: AllowList;
  /** TALLY_REMINDER_OFFSETS (days before a deadline, e.g. "7,3,1") and TALLY_OVERDUE_WINDOW_DAYS */
  deadlines: DeadlinePolicy;
  /** how often the deadline scheduler looks at the calendar (TALLY_DEADLINE_CHECK_MS) */
  scheduleEveryMs: number;
  /** how often pending deliveries are looked at */
  dispatchEveryMs: number;
  /** a delivery failing this many times becomes a dead letter (TALLY_DELIVERY_MAX_ATTEMPTS) */
  maxAttempts: number;
  /** first retry delay; doubled each attempt with jitter, capped (TALLY_DELIVERY_BACKOFF_MS) */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** a webhook call's timeout */
  webhookTimeoutMs: number;
}

export function loadNotificationSettings(env: NodeJS.ProcessEnv = process.env): NotificationSettings {
  const offsets = (env.TALLY_REMINDER_OFFSETS ?? '').split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (offsets.some((o) => !Number.isInteger(o) || o < 1 || o > 365)) throw new ConfigError(`TALLY_REMINDER_OFFSETS must be whole days 1..365, comma-separated; got "${env.TALLY_REMINDER_OFFSETS}"`);
  return {
    smtpUrl: env.TALLY_SMTP_URL || null,
    mailFrom: env.TALLY_SMTP_FROM || 'Tally <no-reply@tally.invalid>',
    webhookAllow: parseAllowList(env.TALLY_WEBHOOK_ALLOW ?? ''),
    deadlines: {
      reminderOffsets: offsets.length > 0 ? offsets : DEFAULT_DEADLINE_POLICY.reminderOffsets,
      overdueWindowDays: intSetting(env, 'TALLY_OVERDUE_WINDOW_DAYS', DEFAULT_DEADLINE_POLICY.overdueWindowDays),
    },
    scheduleEveryMs: intSetting(env, 'TALLY_DEADLINE_CHECK_MS', 10 * 60_000),
    dispatchEveryMs: 1000,
    maxAttempts: intSetting(env, 'TALLY_DELIVERY_MAX_ATTEMPTS', 10),
    backoffBaseMs: intSetting(env, 'TALLY_DELIVERY_BACKOFF_MS', 5000),
    backoffMaxMs: 3_600_000,
    webhookTimeoutMs: 10_000,
  };
}
