import { create } from "@bufbuild/protobuf";
import {
  type Offer as OfferMessage,
  OfferSchema,
  type Resource,
  ResourceSchema,
  TaskState,
  type TaskStatus,
  TaskStatus_Reason,
  TaskStatusSchema,
  Value_Type,
} from "@satyr/proto";

export interface OfferSpec {
  readonly id?: string;
  readonly agentId?: string;
  readonly hostname?: string;
  readonly cpus?: number;
  readonly mem?: number;
  readonly disk?: number;
  readonly gpus?: number;
  readonly ports?: readonly (readonly [number, number])[];
  readonly attributes?: Readonly<Record<string, string>>;
  readonly executorIds?: readonly string[];
  /** Allocation role put on every resource (multi-role frameworks). */
  readonly allocationRole?: string;
  /** Extra raw resources. */
  readonly resources?: readonly Resource[];
}

let counter = 0;

export function scalarResource(name: string, value: number, allocationRole?: string): Resource {
  return create(ResourceSchema, {
    name,
    type: Value_Type.SCALAR,
    scalar: { value },
    ...(allocationRole === undefined ? {} : { allocationInfo: { role: allocationRole } }),
  });
}

/** A raw mesos.v1.Offer for tests. */
export function makeOffer(spec: OfferSpec = {}): OfferMessage {
  counter++;
  const agentId = spec.agentId ?? "agent-1";
  const role = spec.allocationRole;
  const resources: Resource[] = [];
  for (const name of ["cpus", "mem", "disk", "gpus"] as const) {
    const value = spec[name];
    if (value !== undefined) resources.push(scalarResource(name, value, role));
  }
  if (spec.ports !== undefined) {
    resources.push(
      create(ResourceSchema, {
        name: "ports",
        type: Value_Type.RANGES,
        ranges: { range: spec.ports.map(([b, e]) => ({ begin: BigInt(b), end: BigInt(e) })) },
        ...(role === undefined ? {} : { allocationInfo: { role } }),
      }),
    );
  }
  resources.push(...(spec.resources ?? []));
  return create(OfferSchema, {
    id: { value: spec.id ?? `offer-${counter}` },
    frameworkId: { value: "fw-1" },
    agentId: { value: agentId },
    hostname: spec.hostname ?? `${agentId}.local`,
    resources,
    attributes: Object.entries(spec.attributes ?? {}).map(([name, value]) => ({
      name,
      type: Value_Type.TEXT,
      text: { value },
    })),
    executorIds: (spec.executorIds ?? []).map((value) => ({ value })),
  });
}

export function makeStatus(
  taskId: string,
  state: TaskState,
  extra: { agentId?: string; data?: Uint8Array; reason?: TaskStatus_Reason; message?: string } = {},
): TaskStatus {
  return create(TaskStatusSchema, {
    taskId: { value: taskId },
    state,
    ...(extra.agentId === undefined ? {} : { agentId: { value: extra.agentId } }),
    ...(extra.data === undefined ? {} : { data: extra.data }),
    ...(extra.reason === undefined ? {} : { reason: extra.reason }),
    ...(extra.message === undefined ? {} : { message: extra.message }),
  });
}

export { TaskState, TaskStatus_Reason };
