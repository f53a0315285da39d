import { FrameworkInfo_Capability_Type } from "@satyr/proto";
import type { Resources } from "../resources.js";
import type { OfferFilters } from "./offer-filters.js";
import type { AgentRecord, FrameworkRecord } from "./records.js";

/** One offer the allocator decided to make. */
export interface Allocation {
  readonly framework: FrameworkRecord;
  readonly agent: AgentRecord;
  readonly role: string;
  readonly resources: Resources;
}

/** Like `--min_allocatable_resources=cpus:0.01|mem:32`: anything smaller is not worth an offer. */
function allocatable(resources: Resources): boolean {
  return resources.scalar("cpus") >= 0.01 || resources.scalar("mem") >= 32;
}

function hasCapability(framework: FrameworkRecord, type: FrameworkInfo_Capability_Type): boolean {
  return framework.info.capabilities.some((c) => c.type === type);
}

/** What is free on an agent: neither used by tasks and executors nor outstanding in offers. */
export function available(agent: AgentRecord): Resources {
  return agent.port.total.subtract(agent.used).subtract(agent.offered);
}

/**
 * One allocation round, as Mesos's hierarchical DRF allocator does it for unreserved resources: each agent's
 * free resources go whole to the connected framework with the lowest dominant share that has an unsuppressed
 * role not refusing them. Frameworks without GPU_RESOURCES get nothing from agents with GPUs.
 *
 * @example
 * ```ts
 * for (const { framework, agent, role, resources } of allocate(agents, frameworks, filters, Date.now())) { … }
 * ```
 */
export function allocate(
  agents: readonly AgentRecord[],
  frameworks: readonly FrameworkRecord[],
  filters: OfferFilters,
  now: number,
): Allocation[] {
  const candidates = frameworks.filter((f) => f.stream !== undefined && !f.stream.closed);
  if (candidates.length === 0 || agents.length === 0) return [];
  if (!agents.some((agent) => allocatable(available(agent)))) return [];
  const totals: Record<string, number> = {};
  for (const agent of agents) {
    for (const [name, value] of Object.entries(agent.port.total.scalars()))
      totals[name] = (totals[name] ?? 0) + value;
  }
  const allocated = new Map<string, Record<string, number>>();
  for (const framework of candidates) allocated.set(framework.id, {});
  // Shares only order frameworks; with one candidate there is nothing to order.
  for (const framework of candidates.length > 1 ? candidates : []) {
    const mine = allocated.get(framework.id)!;
    for (const offer of framework.offers.values()) addInto(mine, offer.resources.scalars());
    for (const task of framework.tasks.values()) if (!task.released) addInto(mine, task.resources.scalars());
    for (const agent of agents) {
      for (const executor of agent.executors.get(framework.id)?.values() ?? [])
        addInto(mine, executor.resources.scalars());
    }
  }
  const share = (framework: FrameworkRecord) => {
    const mine = allocated.get(framework.id)!;
    let max = 0;
    for (const name of ["cpus", "mem", "disk", "gpus"]) {
      const total = totals[name] ?? 0;
      if (total > 0) max = Math.max(max, (mine[name] ?? 0) / total);
    }
    return max;
  };
  const out: Allocation[] = [];
  for (const agent of agents) {
    const free = available(agent);
    if (!allocatable(free)) continue;
    const ordered = [...candidates].sort(
      (a, b) => share(a) - share(b) || a.registeredTime - b.registeredTime,
    );
    for (const framework of ordered) {
      if (free.scalar("gpus") > 0 && !hasCapability(framework, FrameworkInfo_Capability_Type.GPU_RESOURCES))
        continue;
      const role = framework.roles.find(
        (r) => !framework.suppressed.has(r) && !filters.isRefused(framework.id, r, agent.port.id, free, now),
      );
      if (role === undefined) continue;
      out.push({ framework, agent, role, resources: free });
      addInto(allocated.get(framework.id)!, free.scalars());
      break;
    }
  }
  return out;
}

function addInto(into: Record<string, number>, values: Record<string, number>): void {
  for (const [name, value] of Object.entries(values)) into[name] = (into[name] ?? 0) + value;
}
