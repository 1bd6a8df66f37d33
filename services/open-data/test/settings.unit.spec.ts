import { ConfigError } from '@tally/runtime';
import { describe, expect, it } from 'vitest';
import { loadOpenDataSettings } from '../src/settings';

describe('loadOpenDataSettings', () => {
  it('reads the public URL without trailing slashes and the rate limit', () => {
    const s = loadOpenDataSettings({ TALLY_PUBLIC_URL: ' https://data.example.vn/ ', TALLY_OPEN_DATA_RATE_BURST: '10' });
    expect(s.publicUrl).toBe('https://data.example.vn');
    expect(s.rateLimit).toEqual({ burst: 10, perSec: 20 });
  });

  it('refuses a rate or interval below 1 with a ConfigError naming the variable', () => {
    expect(() => loadOpenDataSettings({ TALLY_OPEN_DATA_RATE_PER_SEC: '0' })).toThrow(ConfigError);
    expect(() => loadOpenDataSettings({ TALLY_OPEN_DATA_RELEASE_INTERVAL_MS: 'soon' })).toThrow('TALLY_OPEN_DATA_RELEASE_INTERVAL_MS must be an integer of at least 1; got "soon"');
  });
});
