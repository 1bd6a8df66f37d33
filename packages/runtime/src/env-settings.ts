/**
 * Reading settings from the environment. A value a setting cannot understand stops the process at start, naming
 * the variable: a misspelt value must not quietly become the default (`TALLY_SYNC_UP=approve` sending every version
 * upstream, `TALLY_MODE=distribute` running on local files). Entry points turn a ConfigError into one line and exit
 * code 2 (host/exit-on-config-error.ts).
 */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** The first of `names` that is set (not empty), as an integer of at least `min` (default 0); none set: `fallback`. */
export function intSetting(env: NodeJS.ProcessEnv, names: string | readonly string[], fallback: number, min = 0): number {
  const name = (typeof names === 'string' ? [names] : names).find((n) => env[n] !== undefined && env[n] !== '');
  if (name === undefined) return fallback;
  const value = env[name]!;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min) throw new ConfigError(`${name} must be ${min === 0 ? 'a non-negative integer' : `an integer of at least ${min}`}; got "${value}"`);
  return n;
}

/** One of `choices` (case and surrounding blanks ignored), or one of `spellings`; unset or empty: `fallback`. */
export function choiceSetting<T extends string>(env: NodeJS.ProcessEnv, name: string, choices: readonly T[], fallback: T, spellings: Readonly<Record<string, T>> = {}): T {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  const value = choices.find((c) => c === raw) ?? (Object.hasOwn(spellings, raw) ? spellings[raw] : undefined);
  if (value === undefined) throw new ConfigError(`${name} must be one of ${choices.join(', ')}; got "${env[name]}"`);
  return value;
}

/** other spellings of a yes/no setting documented as 1/0 */
export const FLAG_SPELLINGS: Readonly<Record<string, '1' | '0'>> = { true: '1', yes: '1', on: '1', false: '0', no: '0', off: '0' };
