import type { TaskStatus } from "@satyr/proto";
import { isTerminalState } from "@satyr/proto";
import { filter, map, Observable, type OperatorFunction, Subject, takeWhile } from "rxjs";
import type { TaskUpdate } from "../client/task-update.js";

type UpdateLike = TaskUpdate | TaskStatus;

function statusOf(update: UpdateLike): TaskStatus {
  return "status" in update && typeof update.status === "object" ? update.status : (update as TaskStatus);
}

/**
 * Maps the client's `updates$` (or any stream of statuses) to plain `TaskStatus`es.
 *
 * @example
 * ```ts
 * client.updates$.pipe(statuses()).subscribe((s) => console.log(s.taskId?.value, stateName(s.state)));
 * ```
 */
export function statuses(): OperatorFunction<UpdateLike, TaskStatus> {
  return map(statusOf);
}

/**
 * The statuses of one task, completing after its terminal one.
 *
 * @example
 * ```ts
 * const last = await lastValueFrom(client.updates$.pipe(taskStatuses("task-1")));
 * ```
 */
export function taskStatuses(taskId: string): OperatorFunction<UpdateLike, TaskStatus> {
  return (source) =>
    source.pipe(
      map(statusOf),
      filter((s) => s.taskId?.value === taskId),
      takeWhile((s) => !isTerminalState(s.state), true),
    );
}

/**
 * Only terminal statuses (FINISHED, FAILED, KILLED, ERROR, LOST, DROPPED, GONE, GONE_BY_OPERATOR).
 *
 * @example
 * ```ts
 * client.updates$.pipe(terminalStatuses()).subscribe((s) => done.add(s.taskId!.value));
 * ```
 */
export function terminalStatuses(): OperatorFunction<UpdateLike, TaskStatus> {
  return (source) =>
    source.pipe(
      map(statusOf),
      filter((s) => isTerminalState(s.state)),
    );
}

/**
 * One task's statuses, as emitted by {@link byTask}.
 *
 * @example
 * ```ts
 * client.updates$.pipe(byTask()).subscribe((stream: TaskStatusStream) => {
 *   stream.statuses$.pipe(toArray()).subscribe((all) => console.log(stream.taskId, all.length, "statuses"));
 * });
 * ```
 */
export interface TaskStatusStream {
  readonly taskId: string;
  /** The task's statuses from the first one seen; completes after its terminal one. Subscribe synchronously. */
  readonly statuses$: Observable<TaskStatus>;
}

/**
 * Splits statuses per task: one {@link TaskStatusStream} per task id, completing after that task's terminal
 * status (so a long-running framework keeps no state per finished task). Like `groupBy`, subscribe to
 * `statuses$` when it is emitted so as not to miss the first status.
 *
 * @example
 * ```ts
 * client.updates$.pipe(byTask()).subscribe(({ taskId, statuses$ }) =>
 *   statuses$.subscribe((s) => console.log(taskId, stateName(s.state))));
 * ```
 */
export function byTask(): OperatorFunction<UpdateLike, TaskStatusStream> {
  return (source) =>
    new Observable<TaskStatusStream>((subscriber) => {
      const groups = new Map<string, Subject<TaskStatus>>();
      const subscription = source.subscribe({
        next: (update) => {
          const status = statusOf(update);
          const taskId = status.taskId?.value ?? "";
          let group = groups.get(taskId);
          if (group === undefined) {
            group = new Subject<TaskStatus>();
            groups.set(taskId, group);
            subscriber.next({ taskId, statuses$: group.asObservable() });
          }
          group.next(status);
          if (isTerminalState(status.state)) {
            groups.delete(taskId);
            group.complete();
          }
        },
        error: (error: unknown) => {
          for (const group of groups.values()) group.error(error);
          subscriber.error(error);
        },
        complete: () => {
          for (const group of groups.values()) group.complete();
          subscriber.complete();
        },
      });
      return () => subscription.unsubscribe();
    });
}
