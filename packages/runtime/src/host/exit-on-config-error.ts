import { ConfigError } from '../config';

/**
 * For a process's entry point: a setting it cannot understand ends the process with the message alone (exit code
 * 2, as for a usage error), which is what an operator needs to mend it; any other error is passed on unchanged.
 */
export function exitOnConfigError(processName: string): (err: unknown) => never {
  return (err) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`${processName}: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  };
}
