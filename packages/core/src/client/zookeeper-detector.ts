import zookeeper from "node-zookeeper-client";
import { Observable } from "rxjs";
import { ConnectionError } from "../errors/connection-error.js";
import { type Leader, leaderFromMasterInfoJson } from "./leader.js";

/**
 * The znode name prefix of a Mesos master's JSON MasterInfo (since Mesos 0.23).
 *
 * @example
 * ```ts
 * children.filter((name) => name.startsWith(MASTER_NODE_PREFIX)); // ["json.info_0000000007", ...]
 * ```
 */
export const MASTER_NODE_PREFIX = "json.info_";

/**
 * Options of {@link zookeeperLeaders}.
 *
 * @example
 * ```ts
 * const options: ZookeeperDetectorOptions = { servers: "127.0.0.1:2181", path: "/mesos", scheme: "http" };
 * ```
 */
export interface ZookeeperDetectorOptions {
  readonly servers: string;
  readonly path: string;
  readonly digest?: string;
  readonly scheme: "http" | "https";
  readonly sessionTimeoutMs?: number;
  /** Told about problems that do not stop detection (unreadable leader data, lost sessions). */
  readonly onProblem?: (error: Error) => void;
}

/**
 * Watches a Mesos ZooKeeper group and emits the leading master: the `json.info_` member with the lowest sequence
 * number, read as JSON MasterInfo. Emits `undefined` while the group has no leader. It re-lists on every children
 * change and every reconnection (watches can be missed), and starts a new session when ZooKeeper expires the
 * current one. Cold: each subscription has its own ZooKeeper session, closed on unsubscribe.
 *
 * @example
 * ```ts
 * zookeeperLeaders({ servers: "zk1:2181", path: "/mesos", scheme: "http" })
 *   .subscribe((leader) => console.log(leader?.endpoint.href ?? "no leader"));
 * ```
 */
export function zookeeperLeaders(options: ZookeeperDetectorOptions): Observable<Leader | undefined> {
  return new Observable<Leader | undefined>((subscriber) => {
    let client: zookeeper.Client | undefined;
    let closed = false;
    let lastKey: string | null = null;
    const path = options.path === "/" ? "" : options.path;

    const emit = (leader: Leader | undefined) => {
      const key = leader === undefined ? "" : `${leader.endpoint.href} ${leader.id ?? ""}`;
      if (key === lastKey) return;
      lastKey = key;
      subscriber.next(leader);
    };

    const open = () => {
      const current = zookeeper.createClient(options.servers, {
        sessionTimeout: options.sessionTimeoutMs ?? 10_000,
        spinDelay: 200,
        retries: 0,
      });
      client = current;
      // One watcher function per session: the ZooKeeper client keeps one registration per function, so reusing
      // it stops watchers from piling up over re-listings; one detection runs at a time, reruns coalesce.
      let running = false;
      let again = false;
      const detect = () => {
        if (closed || client !== current) return;
        if (running) {
          again = true;
          return;
        }
        running = true;
        again = false;
        list(current, watcher, () => {
          running = false;
          if (again) detect();
        });
      };
      const watcher = () => detect();
      if (options.digest !== undefined) current.addAuthInfo("digest", Buffer.from(options.digest));
      current.on("state", (state: zookeeper.State) => {
        if (closed || client !== current) return;
        if (state === zookeeper.State.SYNC_CONNECTED || state === zookeeper.State.CONNECTED_READ_ONLY) {
          detect();
        } else if (state === zookeeper.State.EXPIRED) {
          // An expired session never comes back and its watches are gone: start over with a new one.
          options.onProblem?.(
            new ConnectionError(
              "no-leader",
              `ZooKeeper session on ${options.servers} expired; opening a new one`,
            ),
          );
          current.close();
          open();
        } else if (state === zookeeper.State.AUTH_FAILED) {
          subscriber.error(
            new ConnectionError("no-leader", `ZooKeeper on ${options.servers} refused the credentials`),
          );
        }
      });
      current.connect();
    };

    /** Lists the group once, emits its leader, and calls `done` when finished (whatever the outcome). */
    const list = (current: zookeeper.Client, watcher: () => void, done: () => void) => {
      const stale = () => closed || client !== current;
      current.getChildren(options.path, watcher, (error, children) => {
        if (stale()) return done();
        if (error) {
          if (isZkError(error, zookeeper.Exception.NO_NODE)) {
            emit(undefined);
            // Watch for the group node to appear.
            current.exists(options.path, watcher, (existsError, stat) => {
              done();
              if (!existsError && stat && !stale()) watcher();
            });
            return;
          }
          // Connection loss: the next SYNC_CONNECTED re-runs detection.
          return done();
        }
        let best: { name: string; sequence: number } | undefined;
        for (const name of children) {
          if (!name.startsWith(MASTER_NODE_PREFIX)) continue;
          const sequence = Number(name.slice(MASTER_NODE_PREFIX.length));
          if (!Number.isSafeInteger(sequence)) continue;
          if (best === undefined || sequence < best.sequence) best = { name, sequence };
        }
        if (best === undefined) {
          emit(undefined);
          return done();
        }
        const node = `${path}/${best.name}`;
        current.getData(node, (dataError, data) => {
          done();
          if (stale()) return;
          if (dataError) {
            // The leader vanished between listing and reading: list again.
            if (isZkError(dataError, zookeeper.Exception.NO_NODE)) watcher();
            return;
          }
          try {
            emit(leaderFromMasterInfoJson(data?.toString("utf8") ?? "", options.scheme, node));
          } catch (cause) {
            options.onProblem?.(cause instanceof Error ? cause : new Error(String(cause)));
            emit(undefined);
          }
        });
      });
    };

    open();
    return () => {
      closed = true;
      client?.close();
    };
  });
}

function isZkError(error: unknown, code: number): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === code;
}
