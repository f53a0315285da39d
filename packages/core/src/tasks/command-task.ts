import type { TaskStatus } from "@satyr/proto";
import { ports } from "../resources/factories.js";
import { Resources } from "../resources/resources.js";
import { type CommandOptions, commandInfo } from "./command-info.js";
import { type ContainerOptions, containerInfo, portsNeeded } from "./docker.js";
import { Task, type TaskInfoContext, type TaskInfoParts, type TaskOptions, taskOptionsOf } from "./task.js";

/**
 * Options of a {@link CommandTask}.
 *
 * @example
 * ```ts
 * const options: CommandTaskOptions = {
 *   name: "nightly-report",
 *   command: "./report.sh",
 *   uris: [{ value: "https://example.com/report.sh", executable: true }],
 *   resources: [cpus(0.5), mem(256)],
 *   maxAttempts: 2,
 * };
 * await scheduler.submit(new CommandTask(options));
 * ```
 */
export interface CommandTaskOptions extends TaskOptions, CommandOptions {
  /** Run the command in a Docker container (Apache Mesos agents with the docker containerizer). */
  readonly container?: ContainerOptions;
}

/**
 * A shell command run by Mesos's command executor, optionally in a Docker container. It resolves with the
 * final TASK_FINISHED status; a non-zero exit rejects with a `TaskFailedError` (not retried).
 *
 * @example
 * ```ts
 * const status = await scheduler.submit(new CommandTask({ name: "command-task", command: "echo 100" }));
 * const docker = new CommandTask({
 *   name: "docker-task", command: "echo 100",
 *   container: { docker: { image: "alpine:3", network: "bridge", portMappings: [{ containerPort: 80 }] } },
 * });
 * ```
 */
export class CommandTask extends Task<TaskStatus> {
  static override readonly kind: string = "command";
  readonly options: CommandTaskOptions;

  constructor(options: CommandTaskOptions) {
    const needed = portsNeeded(options.container);
    const base = Resources.from(options.resources);
    // Port mappings without a fixed host port need that many ports from the offer.
    const resources = needed > base.portCount ? base.add(ports(needed - base.portCount)) : base;
    super({ ...taskOptionsOf(options), resources });
    this.options = options;
  }

  protected override buildTaskInfo(context: TaskInfoContext): TaskInfoParts {
    const command = commandInfo(this.options);
    if (this.options.container === undefined) return { command };
    return { command, container: containerInfo(this.options.container, context.ports) };
  }
}
