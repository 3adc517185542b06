/** One way to make a structured logger, so every program logs the same shape and redacts the same secrets. */
import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/** Field paths that may hold secrets; their values never reach a log. */
export const REDACTED_PATHS = [
  'secret',
  'password',
  'token',
  '*.secret',
  '*.password',
  '*.token',
  '*.*.secret',
  '*.*.password',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
];

export function createLogger(name: string, options: LoggerOptions = {}): Logger {
  return pino({
    name,
    level: process.env['GRIDSAFE_LOG_LEVEL'] ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    ...options,
  });
}
