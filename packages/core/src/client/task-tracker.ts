import { isTerminalState, TaskState, type TaskStatus } from "@satyr/proto";

/**
 * A task the client knows is not finished, and when it last heard of it.
 *
 * @example
 * ```ts
 * const t: TrackedTask = { taskId: "t1", agentId: "a1", state: TaskState.TASK_RUNNING, heardAt: 3 };
 * ```
 */
export interface TrackedTask {
  readonly taskId: string;
  readonly agentId: string | undefined;
  readonly state: TaskState;
  /** A logical clock value: larger means heard later. */
  readonly heardAt: number;
}

/**
 * The non-terminal tasks of this framework as seen in launches and status updates; what reconciliation asks
 * the master about after every (re)subscription.
 *
 * @example
 * ```ts
 * const tracker = new TaskTracker();
 * tracker.launched("t1", "agent-1");
 * tracker.observe(status); // terminal states drop the task
 * tracker.nonTerminal();
 * ```
 */
export class TaskTracker {
  readonly #tasks = new Map<string, TrackedTask>();
  #clock = 0;

  /** The current logical time; tasks heard of after it have `heardAt` greater than it. */
  now(): number {
    return this.#clock;
  }

  launched(taskId: string, agentId: string | undefined): void {
    if (this.#tasks.has(taskId)) return;
    this.#tasks.set(taskId, { taskId, agentId, state: TaskState.TASK_STAGING, heardAt: ++this.#clock });
  }

  /** Forgets a task whose launch the master definitely refused. */
  forget(taskId: string): void {
    this.#tasks.delete(taskId);
  }

  observe(status: TaskStatus): void {
    const taskId = status.taskId?.value;
    if (taskId === undefined) return;
    if (isTerminalState(status.state)) {
      this.#tasks.delete(taskId);
      this.#clock++;
      return;
    }
    const previous = this.#tasks.get(taskId);
    this.#tasks.set(taskId, {
      taskId,
      agentId: status.agentId?.value ?? previous?.agentId,
      state: status.state,
      heardAt: ++this.#clock,
    });
  }

  get(taskId: string): TrackedTask | undefined {
    return this.#tasks.get(taskId);
  }

  nonTerminal(): TrackedTask[] {
    return [...this.#tasks.values()];
  }
}
