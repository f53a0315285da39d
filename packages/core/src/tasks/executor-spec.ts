import { createHash } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { executorCommand } from "@satyr/executor";
import { type ExecutorInfo, ExecutorInfo_Type, ExecutorInfoSchema } from "@satyr/proto";
import { cpus, mem } from "../resources/factories.js";
import { Resources, type ResourcesInput } from "../resources/resources.js";
import { type CommandOptions, type CommandSpec, commandInfo } from "./command-info.js";
import { type ContainerOptions, containerInfo } from "./docker.js";
import type { ExecutorSpec } from "./task.js";

/**
 * How the executor that runs function tasks is started. Everything is optional: by default the installed
 * `satyr-executor` runs with the same Node.js as the scheduler (`executorCommand()` from `@satyr/executor`).
 *
 * @example
 * ```ts
 * const executor: ExecutorOptions = {
 *   environment: { NODE_OPTIONS: "--max-old-space-size=2048" },
 *   resources: [cpus(0.2), mem(128)],
 * };
 * new FunctionTask({ fn: (n: number) => n * 2, args: [21], executor });
 * ```
 */
export interface ExecutorOptions extends Partial<CommandOptions> {
  /** Executor resources, on top of its tasks' (default `[cpus(0.1), mem(64)]`). */
  readonly resources?: ResourcesInput;
  /** Run the executor in a Docker container (Apache Mesos only). */
  readonly container?: ContainerOptions;
  /** ExecutorInfo.executor_id; default derived from the configuration so equal configurations share one. */
  readonly id?: string;
  /** ExecutorInfo.name (default `"satyr-executor"`). */
  readonly name?: string;
}

const DEFAULT_RESOURCES = Resources.of(cpus(0.1), mem(64));
let defaultSpec: ExecutorSpec | undefined;
/** Specs by options object: a pool passes the same options for each of its tasks (a hash and a message each). */
const specs = new WeakMap<ExecutorOptions, ExecutorSpec>();

/**
 * The executor spec for `options`: an ExecutorInfo (type CUSTOM, without resources, which the scheduler
 * allocates from the offer) and an id that is a hash of the configuration, so every task with the same
 * configuration goes to the executor already running on an agent.
 *
 * @example
 * ```ts
 * executorSpec().id;                                   // "satyr-executor-3f2a9c10"
 * executorSpec({ environment: { DEBUG: "1" } }).id;    // another id: another executor
 * ```
 */
export function executorSpec(options: ExecutorOptions = {}): ExecutorSpec {
  const isDefault = Object.keys(options).length === 0;
  if (isDefault && defaultSpec !== undefined) return defaultSpec;
  const known = specs.get(options);
  if (known !== undefined) return known;
  let command: CommandSpec | undefined = options.command;
  if (command === undefined) {
    const c = executorCommand();
    command = { value: c.value, arguments: c.arguments, shell: c.shell };
  }
  const info = create(ExecutorInfoSchema, {
    type: ExecutorInfo_Type.CUSTOM,
    name: options.name ?? "satyr-executor",
    source: "satyr",
    command: commandInfo({ ...options, command }),
    ...(options.container === undefined ? {} : { container: containerInfo(options.container) }),
  });
  const resources = options.resources === undefined ? DEFAULT_RESOURCES : Resources.from(options.resources);
  const id =
    options.id ??
    `satyr-executor-${createHash("sha256")
      // ExecutorInfo has required fields unset here (executor_id), so hash the settings that built it.
      .update(
        JSON.stringify([
          info.name,
          command,
          options.environment,
          options.uris,
          options.user,
          options.container,
        ]),
      )
      .update(resources.toString())
      .digest("hex")
      .slice(0, 12)}`;
  info.executorId = { $typeName: "mesos.v1.ExecutorID", value: id };
  const spec: ExecutorSpec = { id, info, resources };
  if (isDefault) defaultSpec = spec;
  else specs.set(options, spec);
  return spec;
}

/**
 * The ExecutorInfo to launch with: the spec's info plus the resources allocated for it from an offer.
 *
 * @example
 * ```ts
 * const info = executorInfoWith(spec, taken);
 * ```
 */
export function executorInfoWith(spec: ExecutorSpec, resources: Resources): ExecutorInfo {
  const info = create(ExecutorInfoSchema, spec.info);
  info.resources = resources.toProtos();
  return info;
}
