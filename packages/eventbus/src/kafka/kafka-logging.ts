import { logLevel, type logCreator } from 'kafkajs';

/** The part of a pino-style logger the Kafka adapter uses (pino's Logger satisfies it). */
export interface KafkaBusLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * A broker that just started loads its group coordinator state, and kafkajs logs the answer to every
 * request meanwhile as an error although it retries them and succeeds: nothing a user can act on.
 */
const TRANSIENT_COORDINATOR = /coordinator is loading|group coordinator is not available/i;

function isTransientCoordinatorError(extra: Record<string, unknown>): boolean {
  return typeof extra.error === 'string' && TRANSIENT_COORDINATOR.test(extra.error);
}

/**
 * Routes kafkajs's own log lines to the service logger. kafkajs INFO lines (joins, stops) are routine, so they go
 * to debug; WARN (rebalances, reconnects) and ERROR (crashes, exhausted retries) keep their level, except the
 * coordinator-loading answers kafkajs retries by itself (debug).
 */
export function kafkaLogCreator(logger: KafkaBusLogger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, ...extra } = log;
      const obj = { kafkajs: namespace, ...extra };
      if (level === logLevel.ERROR && isTransientCoordinatorError(extra)) logger.debug(obj, message);
      else if (level === logLevel.ERROR) logger.error(obj, message);
      else if (level === logLevel.WARN) logger.warn(obj, message);
      else logger.debug(obj, message);
    };
}
