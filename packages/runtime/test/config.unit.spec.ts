import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config';
import { maxAttemptsFromEnv } from '../src/consumer/dead-letter';
import { readyMaxLag } from '../src/host/readiness';

describe('loadConfig', () => {
  it('takes the defaults from an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ mode: 'embedded', httpPort: 8080, sqliteCheckpoint: 'background', syncUp: 'all', demo: true, auth: 'on', relay: 'on' });
  });

  it('reads every documented value of the choice settings, in any case and with blanks around', () => {
    const config = loadConfig({
      TALLY_MODE: ' Distributed ',
      TALLY_SQLITE_CHECKPOINT: 'inline',
      TALLY_SYNC_UP: 'APPROVED',
      TALLY_DEMO: '0',
      TALLY_AUTH: 'off',
      TALLY_RELAY: 'off',
    });
    expect(config).toMatchObject({ mode: 'distributed', sqliteCheckpoint: 'inline', syncUp: 'approved', demo: false, auth: 'off', relay: 'off' });
  });

  it('picks distributed mode from KAFKA_BROKERS and MONGO_URL unless TALLY_MODE says otherwise', () => {
    const infra = { KAFKA_BROKERS: 'localhost:9092', MONGO_URL: 'mongodb://localhost:27017' };
    expect(loadConfig(infra).mode).toBe('distributed');
    expect(loadConfig({ ...infra, TALLY_MODE: 'embedded' }).mode).toBe('embedded');
    expect(loadConfig({ KAFKA_BROKERS: 'localhost:9092' }).mode).toBe('embedded');
  });

  it('takes the usual spellings of a yes/no flag for TALLY_DEMO', () => {
    for (const off of ['0', 'false', 'no', 'off', 'FALSE']) expect(loadConfig({ TALLY_DEMO: off }).demo, off).toBe(false);
    for (const on of ['1', 'true', 'yes', 'on', '']) expect(loadConfig({ TALLY_DEMO: on }).demo, on).toBe(true);
  });

  it.each([
    ['TALLY_MODE', 'distribute'],
    ['TALLY_SQLITE_CHECKPOINT', 'inlin'],
    ['TALLY_SYNC_UP', 'approve'],
    ['TALLY_DEMO', 'maybe'],
    ['TALLY_AUTH', 'false'],
    ['TALLY_AUTH', '0'],
    ['TALLY_RELAY', 'no'],
  ])('refuses %s=%s at start, naming the variable and its values', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name} must be one of .+; got "${value}"$`));
  });

  it('refuses a numeric setting that is not a non-negative integer, naming the variable', () => {
    for (const value of ['abc', '-1', '1.5', ' ']) {
      expect(() => loadConfig({ TALLY_BODY_LIMIT_BYTES: value }), value).toThrow(`TALLY_BODY_LIMIT_BYTES must be a non-negative integer; got "${value}"`);
    }
    expect(() => loadConfig({ HTTP_PORT: 'x', PORT: '8081' })).toThrow('HTTP_PORT must be a non-negative integer');
  });

  it('takes HTTP_PORT over PORT, and PORT when HTTP_PORT is empty', () => {
    expect(loadConfig({ HTTP_PORT: '9000', PORT: '8081' }).httpPort).toBe(9000);
    expect(loadConfig({ HTTP_PORT: '', PORT: '8081' }).httpPort).toBe(8081);
  });

  it('takes TALLY_RELAY_LEASE_MS of at least 100 ms, and leaves the mode default when unset', () => {
    expect(loadConfig({}).relayLeaseMs).toBeUndefined();
    expect(loadConfig({ TALLY_RELAY_LEASE_MS: '5000' }).relayLeaseMs).toBe(5000);
    expect(() => loadConfig({ TALLY_RELAY_LEASE_MS: '50' })).toThrow('TALLY_RELAY_LEASE_MS must be an integer of at least 100; got "50"');
  });
});

describe('settings read outside loadConfig', () => {
  it('TALLY_CONSUMER_MAX_ATTEMPTS: at least 1, default 10', () => {
    expect(maxAttemptsFromEnv({})).toBe(10);
    expect(maxAttemptsFromEnv({ TALLY_CONSUMER_MAX_ATTEMPTS: '3' })).toBe(3);
    for (const bad of ['0', 'three', '2.5']) expect(() => maxAttemptsFromEnv({ TALLY_CONSUMER_MAX_ATTEMPTS: bad }), bad).toThrow(ConfigError);
  });

  it('TALLY_READY_MAX_LAG: a non-negative integer, default 1000', () => {
    expect(readyMaxLag({})).toBe(1000);
    expect(readyMaxLag({ TALLY_READY_MAX_LAG: '0' })).toBe(0);
    expect(() => readyMaxLag({ TALLY_READY_MAX_LAG: 'lots' })).toThrow('TALLY_READY_MAX_LAG must be a non-negative integer; got "lots"');
  });
});
