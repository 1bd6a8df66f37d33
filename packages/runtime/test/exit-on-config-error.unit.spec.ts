import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig } from '../src/config';
import { exitOnConfigError } from '../src/host/exit-on-config-error';

describe('exitOnConfigError', () => {
  afterEach(() => vi.restoreAllMocks());

  it('ends the process with code 2 and the message alone on a ConfigError', () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation(((code?: number) => {
      throw new Error(`exit ${code}`);
    }) as typeof process.exit);
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: string) => written.push(chunk) > 0) as typeof process.stderr.write);
    const err = (() => {
      try {
        loadConfig({ TALLY_SYNC_UP: 'approve' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(() => exitOnConfigError('tally-test')(err)).toThrow('exit 2');
    expect(exit).toHaveBeenCalledWith(2);
    expect(written).toEqual(['tally-test: TALLY_SYNC_UP must be one of all, approved; got "approve"\n']);
  });

  it('passes any other error on unchanged, without ending the process', () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as unknown as typeof process.exit);
    const other = new TypeError('not a setting');
    expect(() => exitOnConfigError('tally-test')(other)).toThrow(other);
    expect(exit).not.toHaveBeenCalled();
  });
});
