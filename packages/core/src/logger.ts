import { type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger };

/** JSON logs on stdout (one line per event); secrets are redacted by path wherever they appear. */
export function createLogger(
  level: LoggerOptions['level'] = 'info',
  base: Record<string, unknown> = {},
): Logger {
  return pino({
    level,
    base: { service: 'guichet', ...base },
    redact: {
      paths: [
        'req.headers.authorization',
        'password',
        '*.password',
        'token',
        '*.token',
        'secret',
        '*.secret',
      ],
      censor: '[redacted]',
    },
  });
}
