/**
 * Vietnamese first, English on request (every text: messages.ts). The choice is kept in localStorage and set on
 * <html lang>.
 */
import { MESSAGES as M } from './messages';

export type MessageKey = keyof typeof M;
export type Lang = 'vi' | 'en';

const LANG_KEY = 'tally.lang';
let lang: Lang = (typeof localStorage !== 'undefined' && localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'vi') as Lang;

export const currentLang = (): Lang => lang;

export function setLang(next: Lang): void {
  lang = next;
  localStorage.setItem(LANG_KEY, next);
  document.documentElement.lang = next;
}

export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const text = M[key][lang === 'vi' ? 0 : 1];
  return text.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? `{${k}}`));
}

/** A status word (due, late, submitted...) in the current language. */
export function statusText(status: string): string {
  const key = `st_${status}` as MessageKey;
  return key in M ? t(key) : status;
}

/** An inbox message's kind (report.submitted, deadline.reminder...) as a few words: its own, its group's, or "other". */
export function kindText(kind: string): string {
  const own = `kind_${kind.replace(/[.-]/g, '_')}`;
  const group = `kind_${kind.split('.')[0]}`;
  return t((own in M ? own : group in M ? group : 'kind_other') as MessageKey);
}

/** A task's status at a unit (open, done, overdue). */
export function taskStatusText(status: string): string {
  const key = `task_${status}` as MessageKey;
  return key in M ? t(key) : status;
}

/** A hierarchy level's name (country, province, district, commune) in the current language. */
export function levelText(level: string): string {
  const key = `lv_${level}` as MessageKey;
  return key in M ? t(key) : level;
}

/** An instant (ISO 8601) as a date and time in the current language. */
export const formatTime = (iso: string): string => new Date(iso).toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB');

export const formatNumber = (n: number | null | undefined, digits = 2): string =>
  n === null || n === undefined || !Number.isFinite(n) ? '–' : n.toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: digits });
