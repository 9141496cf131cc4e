import type { Writable } from 'node:stream';
import winston from 'winston';

/**
 * winston, JSON lines in production, readable lines in development, silent in tests unless
 * LOG_LEVEL says otherwise. Callers pass ids and codes, never passwords, tokens or personal data.
 */
export function createLogger(opts: { production: boolean; level: string; stream?: Writable }): winston.Logger {
  const silent = opts.level === 'silent';
  return winston.createLogger({
    level: silent ? 'error' : opts.level,
    silent,
    format: opts.production
      ? winston.format.combine(winston.format.timestamp(), winston.format.json())
      : winston.format.combine(
          winston.format.timestamp(),
          winston.format.printf(({ level, message, timestamp, ...rest }) => {
            const extra = Object.keys(rest).length ? ' ' + JSON.stringify(rest) : '';
            return `${timestamp} ${level} ${message}${extra}`;
          }),
        ),
    transports: [opts.stream ? new winston.transports.Stream({ stream: opts.stream }) : new winston.transports.Console()],
  });
}

export type Logger = winston.Logger;
