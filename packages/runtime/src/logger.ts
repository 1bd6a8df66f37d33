import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

/** Structured logs; secrets are redacted wherever they appear in logged objects. */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: ['password', '*.password', 'token', '*.token', 'authorization', '*.authorization', 'headers.authorization', 'req.headers.authorization', 'secret', '*.secret'],
      censor: '[redacted]',
    },
  });
}
