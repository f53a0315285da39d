/**
 * Where satyr's schedulers log. Pass your own (pino, winston and `console` all fit); the default writes warnings
 * and errors to `console` and drops debug and info.
 *
 * @example
 * ```ts
 * new QueueScheduler({ logger: console });
 * ```
 */
export interface Logger {
  debug(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

/**
 * The default {@link Logger}: warnings and errors to `console`, nothing else.
 *
 * @example
 * ```ts
 * quietLogger.warn("offer hold expired");
 * ```
 */
export const quietLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message, ...details) => console.warn(message, ...details),
  error: (message, ...details) => console.error(message, ...details),
};
