/**
 * Backoff settings: delays start at `initialMs`, double on every failure up to `maxMs`, and each is shortened by
 * a random fraction up to `jitter` (0 to 1), so that many schedulers do not reconnect in lockstep.
 *
 * @example
 * ```ts
 * const options: BackoffOptions = { initialMs: 500, maxMs: 15_000, jitter: 0.5 };
 * ```
 */
export interface BackoffOptions {
  readonly initialMs?: number;
  readonly maxMs?: number;
  readonly jitter?: number;
}

/**
 * Defaults after mesos-go and pymesos: 0.5 s doubling to a 15 s cap, half of each delay random.
 *
 * @example
 * ```ts
 * const backoff = new Backoff({ ...DEFAULT_BACKOFF, maxMs: 5000 });
 * ```
 */
export const DEFAULT_BACKOFF = { initialMs: 500, maxMs: 15_000, jitter: 0.5 } as const;

/**
 * Truncated exponential backoff with jitter.
 *
 * @example
 * ```ts
 * const backoff = new Backoff({ initialMs: 100, maxMs: 2000 });
 * await sleep(backoff.next()); // 50..100 ms, then 100..200 ms, ...
 * backoff.reset(); // after a success
 * ```
 */
export class Backoff {
  readonly #initial: number;
  readonly #max: number;
  readonly #jitter: number;
  readonly #random: () => number;
  #failures = 0;

  constructor(options: BackoffOptions = {}, random: () => number = Math.random) {
    this.#initial = options.initialMs ?? DEFAULT_BACKOFF.initialMs;
    this.#max = options.maxMs ?? DEFAULT_BACKOFF.maxMs;
    this.#jitter = options.jitter ?? DEFAULT_BACKOFF.jitter;
    this.#random = random;
  }

  /** The delay before the next attempt; each call counts one more failure. */
  next(): number {
    const base = Math.min(this.#max, this.#initial * 2 ** Math.min(this.#failures, 30));
    this.#failures++;
    return Math.round(base * (1 - this.#jitter * this.#random()));
  }

  /** Failures counted since the last {@link Backoff.reset}. */
  get failures(): number {
    return this.#failures;
  }

  reset(): void {
    this.#failures = 0;
  }
}
