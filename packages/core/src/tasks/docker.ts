import { create } from "@bufbuild/protobuf";
import {
  type ContainerInfo,
  ContainerInfo_DockerInfo_Network,
  ContainerInfo_Type,
  ContainerInfoSchema,
  Volume_Mode,
} from "@satyr/proto";
import { InvalidTaskError } from "../errors/invalid-task-error.js";

/**
 * A Docker port mapping; a missing `hostPort` takes the next port assigned to the task from the offer.
 *
 * @example
 * ```ts
 * const http: PortMapping = { containerPort: 80 }; // host port picked from the offer
 * const dns: PortMapping = { containerPort: 53, hostPort: 31053, protocol: "udp" };
 * ```
 */
export interface PortMapping {
  readonly containerPort: number;
  readonly hostPort?: number;
  /** `"tcp"` (default) or `"udp"`. */
  readonly protocol?: string;
}

/**
 * A volume mounted into the container.
 *
 * @example
 * ```ts
 * const config: VolumeOptions = { containerPath: "/etc/app", hostPath: "/srv/app/config", mode: "ro" };
 * ```
 */
export interface VolumeOptions {
  readonly containerPath: string;
  readonly hostPath?: string;
  /** Default `"rw"`. */
  readonly mode?: "rw" | "ro";
}

/**
 * Docker container settings (Mesos's `ContainerInfo.DockerInfo`).
 *
 * @example
 * ```ts
 * const docker: DockerOptions = {
 *   image: "nginx:1.27",
 *   network: "bridge",
 *   portMappings: [{ containerPort: 80 }],
 *   volumes: [{ containerPath: "/usr/share/nginx/html", hostPath: "/srv/site", mode: "ro" }],
 *   parameters: { "memory-swap": "512m" },
 * };
 * ```
 */
export interface DockerOptions {
  readonly image: string;
  /** Default `"host"`. */
  readonly network?: "host" | "bridge" | "none" | "user";
  readonly portMappings?: readonly PortMapping[];
  readonly volumes?: readonly VolumeOptions[];
  readonly forcePull?: boolean;
  readonly privileged?: boolean;
  /** Extra `docker run` parameters (`--key=value`). */
  readonly parameters?: Readonly<Record<string, string>>;
}

/**
 * A container for a task or an executor. The local cluster refuses Docker; Apache Mesos agents run it.
 *
 * @example
 * ```ts
 * const container: ContainerOptions = { docker: { image: "alpine:3", network: "host" } };
 * new CommandTask({ command: "uname -a", container });
 * new FunctionTask({ fn: () => 42, executor: { command: "satyr-executor", container } });
 * ```
 */
export interface ContainerOptions {
  readonly docker: DockerOptions;
}

const NETWORKS = {
  host: ContainerInfo_DockerInfo_Network.HOST,
  bridge: ContainerInfo_DockerInfo_Network.BRIDGE,
  none: ContainerInfo_DockerInfo_Network.NONE,
  user: ContainerInfo_DockerInfo_Network.USER,
} as const;

/**
 * How many host ports a container's mappings need from the offer (those without a fixed `hostPort`).
 *
 * @example
 * ```ts
 * portsNeeded({ docker: { image: "nginx", network: "bridge", portMappings: [{ containerPort: 80 }] } }); // 1
 * ```
 */
export function portsNeeded(container: ContainerOptions | undefined): number {
  return (container?.docker.portMappings ?? []).filter((m) => m.hostPort === undefined).length;
}

/**
 * Encodes a Docker `ContainerInfo`; mappings without a `hostPort` take `assignedPorts` in order.
 *
 * @example
 * ```ts
 * containerInfo({ docker: { image: "alpine:3", network: "bridge", portMappings: [{ containerPort: 80 }] } }, [31000]);
 * ```
 */
export function containerInfo(
  container: ContainerOptions,
  assignedPorts: readonly number[] = [],
): ContainerInfo {
  const docker = container.docker;
  if (typeof docker.image !== "string" || docker.image === "") {
    throw new InvalidTaskError("container.docker.image", "a Docker container needs a non-empty image");
  }
  let next = 0;
  const portMappings = (docker.portMappings ?? []).map((m) => {
    const hostPort = m.hostPort ?? assignedPorts[next++];
    if (hostPort === undefined) {
      throw new InvalidTaskError(
        "container.docker.portMappings",
        `port mapping for container port ${m.containerPort} has no hostPort and no port was assigned from the offer`,
      );
    }
    return { containerPort: m.containerPort, hostPort, protocol: m.protocol ?? "tcp" };
  });
  return create(ContainerInfoSchema, {
    type: ContainerInfo_Type.DOCKER,
    docker: {
      image: docker.image,
      network: NETWORKS[docker.network ?? "host"],
      portMappings,
      privileged: docker.privileged ?? false,
      forcePullImage: docker.forcePull ?? false,
      parameters: Object.entries(docker.parameters ?? {}).map(([key, value]) => ({ key, value })),
    },
    volumes: (docker.volumes ?? []).map((v) => ({
      containerPath: v.containerPath,
      ...(v.hostPath === undefined ? {} : { hostPath: v.hostPath }),
      mode: v.mode === "ro" ? Volume_Mode.RO : Volume_Mode.RW,
    })),
  });
}
