import type { Resources } from "../resources.js";

/** Mesos caps refusals at a year and treats a negative one as the 5 s default. */
const MAX_REFUSE_SECONDS = 365 * 24 * 60 * 60;
/** `Filters.refuse_seconds` when the framework gives none. */
export const DEFAULT_REFUSE_SECONDS = 5;

interface Refusal {
  readonly resources: Resources;
  readonly until: number;
}

/**
 * The refusals frameworks attach to DECLINE and to the unused part of an ACCEPT: for `refuse_seconds`, the
 * framework (in that role) is not offered resources on that agent that the refused ones already cover. REVIVE
 * clears them.
 *
 * @example
 * ```ts
 * const filters = new OfferFilters();
 * filters.refuse("fw", "*", "agent", Resources.of({ cpus: 1 }), 5, Date.now());
 * filters.isRefused("fw", "*", "agent", Resources.of({ cpus: 0.5 }), Date.now()); // true
 * ```
 */
export class OfferFilters {
  readonly #refusals = new Map<string, Refusal[]>();

  refuse(
    frameworkId: string,
    role: string,
    agentId: string,
    resources: Resources,
    seconds: number,
    now: number,
  ): void {
    let s = seconds;
    if (!Number.isFinite(s) && s > 0) s = MAX_REFUSE_SECONDS;
    if (Number.isNaN(s) || s < 0) s = DEFAULT_REFUSE_SECONDS;
    s = Math.min(s, MAX_REFUSE_SECONDS);
    if (s === 0 || resources.isEmpty()) return;
    const key = keyOf(frameworkId, role, agentId);
    const list = (this.#refusals.get(key) ?? []).filter((r) => r.until > now);
    list.push({ resources, until: now + s * 1000 });
    this.#refusals.set(key, list);
  }

  isRefused(frameworkId: string, role: string, agentId: string, resources: Resources, now: number): boolean {
    const key = keyOf(frameworkId, role, agentId);
    const list = this.#refusals.get(key);
    if (list === undefined) return false;
    const live = list.filter((r) => r.until > now);
    if (live.length === 0) {
      this.#refusals.delete(key);
      return false;
    }
    if (live.length !== list.length) this.#refusals.set(key, live);
    return live.some((r) => r.resources.contains(resources));
  }

  /** Drops a framework's refusals, for the given roles or all of them (REVIVE). */
  clear(frameworkId: string, roles?: readonly string[]): void {
    for (const key of [...this.#refusals.keys()]) {
      const [fw, role] = JSON.parse(key) as [string, string, string];
      if (fw === frameworkId && (roles === undefined || roles.includes(role))) this.#refusals.delete(key);
    }
  }

  removeAgent(agentId: string): void {
    for (const key of [...this.#refusals.keys()]) {
      if ((JSON.parse(key) as string[])[2] === agentId) this.#refusals.delete(key);
    }
  }
}

function keyOf(frameworkId: string, role: string, agentId: string): string {
  return JSON.stringify([frameworkId, role, agentId]);
}
