import { toJson } from "@bufbuild/protobuf";
import { ContainerStatusSchema, TaskState } from "@satyr/proto";
import { Resources } from "../resources.js";
import { available } from "./allocator.js";
import { type Master, MESOS_VERSION } from "./master.js";
import type { AgentRecord, FrameworkRecord, TaskRecord } from "./records.js";

/** When this build of the local cluster "was built", for `/version` and `/master/state`. */
export const BUILD_TIME = 1_795_671_628;
const BUILD_DATE = "2026-11-26 05:40:28";

type Json = Record<string, unknown>;

/**
 * `/version` as a real master answers it.
 *
 * @example
 * ```ts
 * versionJson(); // { build_date: "…", build_time: …, build_user: "", version: "1.12.0" }
 * ```
 */
export function versionJson(): Json {
  return { build_date: BUILD_DATE, build_time: BUILD_TIME, build_user: "", version: MESOS_VERSION };
}

/** Scalars of a bag with the four standard ones always present, plus ports as Mesos's range text. */
function resourcesJson(resources: Resources, withPorts = true): Json {
  const out: Json = { disk: 0, mem: 0, gpus: 0, cpus: 0, ...resources.scalars() };
  const ports = resources.rangeText("ports");
  if (withPorts && ports !== undefined) out.ports = ports;
  return out;
}

function taskJson(task: TaskRecord): Json {
  return {
    id: task.info.taskId?.value ?? "",
    name: task.info.name,
    framework_id: task.frameworkId,
    executor_id: task.executorId ?? "",
    slave_id: task.agentId,
    state: TaskState[task.state],
    resources: resourcesJson(task.resources),
    role: task.role,
    statuses: task.statuses.map((s) => ({
      state: TaskState[s.state],
      timestamp: s.timestamp,
      ...(s.containerStatus === undefined
        ? {}
        : {
            container_status: toJson(ContainerStatusSchema, s.containerStatus, { useProtoFieldName: true }),
          }),
    })),
  };
}

function frameworkJson(master: Master, framework: FrameworkRecord, active: boolean): Json {
  const used = [...framework.tasks.values()]
    .filter((t) => !t.released)
    .reduce((sum, t) => sum.add(t.resources), Resources.empty);
  const offered = [...framework.offers.values()].reduce((sum, o) => sum.add(o.resources), Resources.empty);
  const executors: Json[] = [];
  for (const agent of master.agents.values()) {
    for (const executor of agent.executors.get(framework.id)?.values() ?? []) {
      executors.push({
        executor_id: executor.info.executorId?.value ?? "",
        name: executor.info.name,
        framework_id: framework.id,
        slave_id: agent.port.id,
        resources: resourcesJson(executor.resources),
      });
    }
  }
  const connected = framework.stream !== undefined && !framework.stream.closed;
  const roles = framework.info.capabilities.some((c) => capabilityName(c.type) === "MULTI_ROLE")
    ? { roles: framework.roles }
    : { role: framework.roles[0] };
  return {
    id: framework.id,
    name: framework.info.name,
    used_resources: resourcesJson(used, false),
    offered_resources: resourcesJson(offered, false),
    capabilities: framework.info.capabilities.map((c) => capabilityName(c.type)),
    hostname: framework.info.hostname,
    webui_url: framework.info.webuiUrl,
    active: active && connected,
    connected,
    recovered: false,
    user: framework.info.user,
    failover_timeout: framework.info.failoverTimeout,
    checkpoint: framework.info.checkpoint,
    registered_time: framework.registeredTime,
    unregistered_time: framework.unregisteredTime,
    ...(framework.principal === undefined ? {} : { principal: framework.principal }),
    resources: resourcesJson(used.add(offered), false),
    ...roles,
    tasks: [...framework.tasks.values()].map(taskJson),
    unreachable_tasks: [],
    completed_tasks: framework.completedTasks.map(taskJson),
    offers: [...framework.offers.values()].map((o) => ({
      id: o.id,
      framework_id: o.frameworkId,
      slave_id: o.agentId,
      resources: resourcesJson(o.resources),
    })),
    executors,
    offer_constraints: {},
  };
}

const CAPABILITY_NAMES = [
  "UNKNOWN",
  "REVOCABLE_RESOURCES",
  "TASK_KILLING_STATE",
  "GPU_RESOURCES",
  "SHARED_RESOURCES",
  "PARTITION_AWARE",
  "MULTI_ROLE",
  "RESERVATION_REFINEMENT",
  "REGION_AWARE",
];

function capabilityName(type: number): string {
  return CAPABILITY_NAMES[type] ?? String(type);
}

function agentJson(agent: AgentRecord): Json {
  const url = new URL(agent.port.url);
  const attributes: Json = {};
  for (const a of agent.port.attributes) attributes[a.name] = a.text?.value ?? a.scalar?.value ?? "";
  const offered = agent.offered;
  return {
    id: agent.port.id,
    hostname: agent.port.info.hostname,
    port: Number(url.port),
    attributes,
    pid: `slave(1)@${url.hostname}:${url.port}`,
    registered_time: agent.registeredTime,
    resources: resourcesJson(agent.port.total),
    used_resources: resourcesJson(agent.used),
    offered_resources: resourcesJson(offered),
    reserved_resources: {},
    unreserved_resources: resourcesJson(agent.port.total),
    available_resources: resourcesJson(available(agent)),
    active: true,
    deactivated: false,
    version: MESOS_VERSION,
    capabilities: ["MULTI_ROLE", "HIERARCHICAL_ROLE", "RESERVATION_REFINEMENT", "AGENT_OPERATION_FEEDBACK"],
  };
}

/**
 * `/master/state` in the shape Apache Mesos gives it: master identity and flags, agents with their total, used
 * and offered resources, frameworks with their tasks (and each task's forwarded statuses), offers, executors and
 * completed tasks, and the completed frameworks.
 *
 * @example
 * ```ts
 * replyJson(res, stateJson(master));
 * ```
 */
export function stateJson(master: Master): Json {
  const info = master.masterInfo();
  return {
    version: MESOS_VERSION,
    ...versionJson(),
    start_time: master.startTime,
    elected_time: master.startTime,
    id: master.id,
    pid: master.pid,
    hostname: info.hostname,
    capabilities: ["AGENT_UPDATE", "AGENT_DRAINING", "QUOTA_V2"],
    activated_slaves: master.agents.size,
    deactivated_slaves: 0,
    unreachable_slaves: 0,
    leader: master.pid,
    leader_info: { id: master.id, pid: master.pid, port: info.port, hostname: info.hostname },
    flags: {
      allocation_interval: `${master.settings.allocationIntervalMs}ms`,
      ...(master.settings.offerTimeoutMs === undefined
        ? {}
        : { offer_timeout: `${master.settings.offerTimeoutMs}ms` }),
      hostname: info.hostname,
      port: String(info.port),
      min_allocatable_resources: "cpus:0.01|mem:32",
      registry: "in_memory",
      version: "false",
    },
    slaves: [...master.agents.values()].map(agentJson),
    recovered_slaves: [],
    frameworks: [...master.frameworks.values()].map((f) => frameworkJson(master, f, true)),
    completed_frameworks: master.completedFrameworks.map((f) => frameworkJson(master, f, false)),
    orphan_tasks: [],
    unregistered_frameworks: [],
  };
}
