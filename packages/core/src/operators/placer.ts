import { type Bin, type Heuristic, type Item, pack, type Weights } from "@satyr/binpack";
import type { ExecutorInfo, TaskInfo } from "@satyr/proto";
import type { Offer } from "../resources/offer.js";
import { listPorts } from "../resources/port-ranges.js";
import type { Resources } from "../resources/resources.js";
import { admits, type Constraint, constraintValue } from "../scheduler/constraints.js";
import { executorInfoWith } from "../tasks/executor-spec.js";
import { TASK_CONTROL, type Task } from "../tasks/task.js";
import type { TaskPhase } from "../tasks/task-state.js";

/**
 * How tasks are packed onto offers.
 *
 * @example
 * ```ts
 * // Memory counts twice as much as CPU when ranking bins.
 * const options: PlacementOptions = { heuristic: "bfd", weights: { cpus: 1, mem: 2 } };
 * const placer = new Placer(options);
 * ```
 */
export interface PlacementOptions {
  /** The `@satyr/binpack` heuristic (default `"bfd"`, like the original QueueScheduler). */
  readonly heuristic?: Heuristic;
  /** Per-dimension weights for the weighted heuristics (default `{ cpus: 1, mem: 1 }`). */
  readonly weights?: Weights;
}

/**
 * One task placed on an offer: what it takes from the offer and the TaskInfo to launch.
 *
 * @example
 * ```ts
 * for (const placement of placer.place(tasks, offers).placements) {
 *   for (const placed of placement.tasks) {
 *     console.log(placed.task.name, placed.taskInfo.taskId?.value, placed.ports, placed.resources.cpus);
 *   }
 * }
 * ```
 */
export interface PlacedTask {
  readonly task: Task<unknown>;
  /** Resources taken from the offer (offer metadata intact, ports assigned). */
  readonly resources: Resources;
  readonly ports: readonly number[];
  readonly taskInfo: TaskInfo;
}

/**
 * An offer and the tasks placed on it; no tasks means the offer should be declined.
 *
 * @example
 * ```ts
 * const handle = async ({ offer, tasks }: OfferPlacement) => {
 *   if (tasks.length === 0) await client.decline([offer.id]);
 *   else await client.launch([offer.id], tasks.map((t) => t.taskInfo));
 * };
 * ```
 */
export interface OfferPlacement {
  readonly offer: Offer;
  readonly tasks: readonly PlacedTask[];
}

/**
 * The outcome of one {@link Placer.place} round.
 *
 * @example
 * ```ts
 * const round: PlacementRound = placer.place(pendingTasks, offers);
 * for (const { task, error } of round.invalid) console.warn(`${task.name} is invalid`, error);
 * console.log(`${round.unplaced.length} task(s) wait for the next offers`);
 * ```
 */
export interface PlacementRound {
  /** One entry per offer, in input order. */
  readonly placements: OfferPlacement[];
  readonly unplaced: Task<unknown>[];
  /** Tasks whose TaskInfo could not be built; they should be rejected. */
  readonly invalid: { readonly task: Task<unknown>; readonly error: Error }[];
}

const ACTIVE: ReadonlySet<TaskPhase> = new Set([
  "launching",
  "staging",
  "starting",
  "running",
  "killing",
  "unreachable",
]);

interface BinState {
  readonly offer: Offer;
  remaining: Resources;
  readonly running: Set<string>;
  readonly placed: PlacedTask[];
}

/** Resource vector helper: ports as a count, every scalar by name. */
function vectorOf(resources: Resources): Record<string, number> {
  return resources.toVector();
}

/**
 * Places tasks on offers with `@satyr/binpack`, honouring constraints, assigning ports from the offers' ranges,
 * keeping reservations and roles, and sharing one executor per agent for tasks with the same executor. It keeps
 * the little state placement needs across rounds (executor infos per agent, where constrained tasks went), so
 * use one Placer per offer pipeline. {@link packWith} and `QueueScheduler` are built on it.
 *
 * @example
 * ```ts
 * const placer = new Placer({ heuristic: "bfd" });
 * const { placements, unplaced } = placer.place(pendingTasks, offers);
 * ```
 */
export class Placer {
  readonly heuristic: Heuristic;
  readonly weights: Weights;
  readonly #executors = new Map<string, ExecutorInfo>();
  /** Constrained tasks placed, for `unique` and `spread`: task → its offer's attribute values. */
  readonly #spreadPlacements = new Map<Task<unknown>, Offer>();

  constructor(options: PlacementOptions = {}) {
    this.heuristic = options.heuristic ?? "bfd";
    this.weights = options.weights ?? { cpus: 1, mem: 1 };
  }

  /**
   * Packs `tasks` (in order) onto `offers`. Constrained tasks are placed first, one by one, on the offers their
   * hard constraints admit (spread ones on the least used value); the rest in one `pack` call. Placed tasks
   * turn `launching`; set them back to `pending` if they are not launched after all.
   *
   * @example
   * ```ts
   * for (const p of placer.place(tasks, offers).placements) console.log(p.offer.id, p.tasks.length);
   * ```
   */
  place(tasks: readonly Task<unknown>[], offers: readonly Offer[]): PlacementRound {
    const bins: BinState[] = offers.map((offer) => ({
      offer,
      remaining: offer.resources,
      running: new Set(offer.executorIds),
      placed: [],
    }));
    const unplaced: Task<unknown>[] = [];
    const invalid: { task: Task<unknown>; error: Error }[] = [];
    const free: Task<unknown>[] = [];
    for (const task of tasks) {
      if (task.constraints.length === 0) {
        free.push(task);
        continue;
      }
      if (!this.#placeConstrained(task, bins, invalid)) unplaced.push(task);
    }
    if (free.length > 0) this.#packFree(free, bins, unplaced, invalid);
    return { placements: bins.map((b) => ({ offer: b.offer, tasks: b.placed })), unplaced, invalid };
  }

  /**
   * Counts active tasks of `group` placed where `attribute` has `value` (for `unique` and `spread`).
   *
   * @example
   * ```ts
   * placer.count("replica", "hostname", "node-1");
   * ```
   */
  count(group: string, attribute: string, value: string): number {
    let n = 0;
    for (const [task, offer] of this.#spreadPlacements) {
      if (!ACTIVE.has(task.state)) {
        this.#spreadPlacements.delete(task);
        continue;
      }
      if (constraintValue(offer, attribute) !== value) continue;
      if (
        task.constraints.some(
          (c) => (c.kind === "unique" || c.kind === "spread") && (c.group ?? task.name) === group,
        )
      )
        n++;
    }
    return n;
  }

  #placeConstrained(
    task: Task<unknown>,
    bins: BinState[],
    invalid: { task: Task<unknown>; error: Error }[],
  ): boolean {
    let candidates = bins.filter(
      (b) => admits(task.constraints, b.offer) && this.#uniqueAllows(task, b.offer),
    );
    const spread = task.constraints.find(
      (c): c is Extract<Constraint, { kind: "spread" }> => c.kind === "spread",
    );
    if (spread !== undefined) {
      const group = spread.group ?? task.name;
      const load = (b: BinState) =>
        this.count(group, spread.attribute, constraintValue(b.offer, spread.attribute) ?? "");
      candidates = candidates
        .map((b) => ({ b, n: load(b) }))
        .sort((x, y) => x.n - y.n)
        .map((x) => x.b);
    } else if (candidates.length > 1) {
      // Let the heuristic choose among the admitted offers (a single item: bf/bfd pick the tightest fit).
      const item: Item = { id: task.taskId, demand: vectorOf(task.resources) };
      const packing = pack(
        [item],
        candidates.map((b) => this.#binOf(b, [task])),
        { heuristic: this.heuristic, weights: this.weights },
      );
      const chosen = packing.bins.find((p) => p.items.length > 0)?.bin.id;
      candidates.sort((x, y) => Number(y.offer.id === chosen) - Number(x.offer.id === chosen));
    }
    for (const bin of candidates) {
      const result = this.#commit(bin, task);
      if (result === "placed") {
        this.#spreadPlacements.set(task, bin.offer);
        return true;
      }
      if (result instanceof Error) {
        invalid.push({ task, error: result });
        return true;
      }
    }
    return false;
  }

  #uniqueAllows(task: Task<unknown>, offer: Offer): boolean {
    for (const c of task.constraints) {
      if (c.kind !== "unique") continue;
      const value = constraintValue(offer, c.attribute);
      if (value === undefined) return false;
      if (this.count(c.group ?? task.name, c.attribute, value) > 0) return false;
    }
    return true;
  }

  #packFree(
    tasks: readonly Task<unknown>[],
    bins: BinState[],
    unplaced: Task<unknown>[],
    invalid: { task: Task<unknown>; error: Error }[],
  ): void {
    const items = tasks.map((task) => ({ id: task.taskId, demand: vectorOf(task.resources), task }));
    const packing = pack(
      items,
      bins.map((b) => this.#binOf(b, tasks)),
      { heuristic: this.heuristic, weights: this.weights },
    );
    const byOffer = new Map(bins.map((b) => [b.offer.id, b]));
    for (const packed of packing.bins) {
      const bin = byOffer.get(packed.bin.id);
      for (const item of packed.items) {
        const result = bin === undefined ? "short" : this.#commit(bin, item.task);
        if (result instanceof Error) invalid.push({ task: item.task, error: result });
        else if (result === "short") unplaced.push(item.task);
      }
    }
    for (const item of packing.unplaced) unplaced.push(item.task);
  }

  /** A bin's capacity for packing: what is left, minus the executors `tasks` would have to start there. */
  #binOf(bin: BinState, tasks: readonly Task<unknown>[]): Bin & { readonly state: BinState } {
    const capacity = vectorOf(bin.remaining);
    const started = new Set<string>();
    for (const task of tasks) {
      const spec = task.executor();
      if (spec === undefined || bin.running.has(spec.id) || started.has(spec.id)) continue;
      started.add(spec.id);
      for (const [name, amount] of Object.entries(vectorOf(spec.resources))) {
        capacity[name] = Math.max(0, (capacity[name] ?? 0) - amount);
      }
    }
    return { id: bin.offer.id, capacity, state: bin };
  }

  /** Takes a task's resources (and its executor's, if not running yet) from a bin and builds its TaskInfo. */
  #commit(bin: BinState, task: Task<unknown>): "placed" | "short" | Error {
    const control = task[TASK_CONTROL];
    if (task.attempts === 0) control.beginAttempt();
    const agentId = bin.offer.agentId;
    let remaining = bin.remaining;
    const spec = task.executor();
    let executor: ExecutorInfo | undefined;
    let startsExecutor = false;
    if (spec !== undefined) {
      const key = `${agentId}\u0000${spec.id}`;
      if (bin.running.has(spec.id)) {
        // Tasks must carry the running executor's exact ExecutorInfo. The one this Placer launched is cached
        // (kept even when an offer made before the launch does not list it yet); for one it did not launch
        // (a failed-over scheduler), the resources are shaped like the offer's (same role/allocation).
        executor = this.#executors.get(key);
        if (executor === undefined) {
          executor = executorInfoWith(
            spec,
            bin.offer.resources.allocate(spec.resources)?.taken ?? spec.resources,
          );
          this.#executors.set(key, executor);
        }
      } else {
        const forExecutor = remaining.allocate(spec.resources);
        if (forExecutor === undefined) return "short";
        executor = executorInfoWith(spec, forExecutor.taken);
        remaining = forExecutor.rest;
        startsExecutor = true;
      }
    }
    const allocation = remaining.allocate(task.resources);
    if (allocation === undefined) return "short";
    const ports = listPorts(allocation.taken.ports);
    let taskInfo: TaskInfo;
    try {
      taskInfo = task.toTaskInfo({
        agentId,
        resources: allocation.taken,
        ports,
        ...(executor === undefined ? {} : { executor }),
      });
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
    bin.remaining = allocation.rest;
    if (spec !== undefined && executor !== undefined && startsExecutor) {
      bin.running.add(spec.id);
      this.#executors.set(`${agentId}\u0000${spec.id}`, executor);
    }
    bin.placed.push({ task, resources: allocation.taken, ports, taskInfo });
    // Placed tasks count as launching right away, so unique/spread see them within the same round.
    control.setPhase("launching");
    return "placed";
  }
}
