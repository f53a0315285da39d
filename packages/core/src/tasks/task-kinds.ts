import type { TaskInfo } from "@satyr/proto";
import { Resources } from "../resources/resources.js";
import { WrapperRegistry } from "../resources/wrapper-registry.js";
import { CommandTask } from "./command-task.js";
import { FunctionTask } from "./function-task.js";
import { TASK_LABELS, Task } from "./task.js";

/**
 * A task class that can be registered: its static `kind` and a way to rebuild it from a TaskInfo.
 *
 * @example
 * ```ts
 * class RenderTask extends Task {
 *   static override readonly kind = "render";
 * }
 * const kind: TaskKind = RenderTask; // a class: `kind` plus its `name`
 * const unregister = registerTaskKind(kind);
 * ```
 */
export interface TaskKind {
  readonly kind: string;
  readonly name: string;
}

function labelsOf(info: TaskInfo): Record<string, string> {
  return Object.fromEntries((info.labels?.labels ?? []).map((l) => [l.key, l.value]));
}

function userLabels(info: TaskInfo): Record<string, string> {
  const reserved = new Set<string>(Object.values(TASK_LABELS));
  return Object.fromEntries(Object.entries(labelsOf(info)).filter(([k]) => !reserved.has(k)));
}

/** The generic decoding: a plain {@link Task} with the raw TaskInfo parts. */
function plainTask(info: TaskInfo): Task<unknown> {
  const id = labelsOf(info)[TASK_LABELS.task] ?? info.taskId?.value;
  return new Task({
    ...(id === undefined ? {} : { id }),
    name: info.name,
    resources: Resources.fromProtos(info.resources),
    labels: userLabels(info),
    ...(info.command === undefined ? {} : { command: info.command }),
    ...(info.container === undefined ? {} : { container: info.container }),
    ...(info.executor === undefined ? {} : { executor: info.executor }),
    ...(info.data.length === 0 ? {} : { data: info.data }),
  });
}

/**
 * The registry behind {@link decodeTask}: newest registration first, a plain {@link Task} last.
 *
 * @example
 * ```ts
 * taskKinds.register({ match: (info) => info.name.startsWith("pypy-"), wrap: (info) => new PypyTask(info) });
 * ```
 */
export const taskKinds: WrapperRegistry<TaskInfo, Task<unknown>> = new WrapperRegistry(plainTask);

/**
 * Registers a task class so that TaskInfos labelled with its `kind` decode into it (the original satyr matched
 * proxies by protobuf template; here the `satyr.kind` label is the template). `decode` defaults to
 * `ctor.fromTaskInfo` when the class has one.
 *
 * @example
 * ```ts
 * class CustomTask extends Task {
 *   static override readonly kind = "custom";
 *   static fromTaskInfo(info: TaskInfo) { return new CustomTask({ name: info.name, command: info.command }); }
 * }
 * registerTaskKind(CustomTask);
 * decodeTask(info) instanceof CustomTask; // true for TaskInfos a CustomTask produced
 * ```
 */
export function registerTaskKind(
  ctor: TaskKind & { fromTaskInfo?: (info: TaskInfo) => Task<unknown> },
  options: { match?: (info: TaskInfo) => boolean; decode?: (info: TaskInfo) => Task<unknown> } = {},
): () => void {
  const decode = options.decode ?? ctor.fromTaskInfo?.bind(ctor) ?? plainTask;
  const match = options.match ?? ((info: TaskInfo) => labelsOf(info)[TASK_LABELS.kind] === ctor.kind);
  return taskKinds.register({ match, wrap: decode });
}

/**
 * Decodes a TaskInfo into the most specific registered task class (for example on reconciliation, or in a
 * custom executor).
 *
 * @example
 * ```ts
 * const task = decodeTask(info); // a FunctionTask for a TaskInfo a FunctionTask produced
 * ```
 */
export function decodeTask(info: TaskInfo): Task<unknown> {
  return taskKinds.wrap(info);
}

registerTaskKind(CommandTask, {
  decode: (info) => {
    const command = info.command;
    if (command === undefined) return plainTask(info);
    const id = labelsOf(info)[TASK_LABELS.task] ?? info.taskId?.value;
    return new CommandTask({
      ...(id === undefined ? {} : { id }),
      name: info.name,
      resources: Resources.fromProtos(info.resources),
      labels: userLabels(info),
      command: command.shell
        ? command.value
        : { value: command.value, arguments: command.arguments, shell: false },
      environment: Object.fromEntries((command.environment?.variables ?? []).map((v) => [v.name, v.value])),
      uris: command.uris.map((u) => ({
        value: u.value,
        executable: u.executable,
        extract: u.extract,
        cache: u.cache,
      })),
      ...(command.user === "" ? {} : { user: command.user }),
    });
  },
});
registerTaskKind(FunctionTask);
