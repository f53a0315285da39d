import { LocalClusterUnavailableError } from "./errors/local-cluster-unavailable-error.js";

/**
 * What `run()` needs from an embedded `LocalCluster` (`@satyr/local`).
 *
 * @example
 * ```ts
 * const cluster: EmbeddedCluster = await startEmbeddedCluster({ agents: 1 });
 * try {
 *   console.log(`master at ${cluster.masterUrl}`);
 * } finally {
 *   await cluster.stop();
 * }
 * ```
 */
export interface EmbeddedCluster {
  readonly masterUrl: string;
  stop(): Promise<void>;
}

/**
 * Loads a module by specifier (the dynamic `import()`, replaceable for tests).
 *
 * @example
 * ```ts
 * // Pretend @satyr/local is not installed: startEmbeddedCluster throws a LocalClusterUnavailableError.
 * const missing: ModuleImporter = async () => {
 *   throw Object.assign(new Error("not found"), { code: "ERR_MODULE_NOT_FOUND" });
 * };
 * await startEmbeddedCluster({}, missing);
 * ```
 */
export type ModuleImporter = (specifier: string) => Promise<unknown>;

const importModule: ModuleImporter = (specifier) => import(specifier);

/**
 * Starts an embedded `LocalCluster` from the optional peer dependency `@satyr/local`, imported only now so that
 * users with a real master never need it, on a worker thread of its own (`startClusterThread`) so the master's
 * and agents' work runs beside the scheduler's instead of on its event loop. When `@satyr/local` is not
 * installed, throws a {@link LocalClusterUnavailableError} saying how to install it.
 *
 * @example
 * ```ts
 * const cluster = await startEmbeddedCluster({ agents: 2 });
 * console.log(cluster.masterUrl);
 * await cluster.stop();
 * ```
 */
export async function startEmbeddedCluster(
  options: Readonly<Record<string, unknown>> = {},
  importer: ModuleImporter = importModule,
): Promise<EmbeddedCluster> {
  type Start = (options: Readonly<Record<string, unknown>>) => Promise<EmbeddedCluster>;
  let module: { startClusterThread?: Start; LocalCluster?: { start?: Start } };
  try {
    module = (await importer("@satyr/local")) as typeof module;
  } catch (cause) {
    const code = (cause as { code?: unknown }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND")
      throw new LocalClusterUnavailableError(cause);
    throw cause;
  }
  if (typeof module.startClusterThread === "function") return module.startClusterThread(options);
  // An older @satyr/local without threads: the cluster runs on this thread.
  const start = module.LocalCluster?.start;
  if (typeof start !== "function") {
    throw new LocalClusterUnavailableError(
      new Error("@satyr/local exports neither startClusterThread nor LocalCluster.start"),
    );
  }
  return start.call(module.LocalCluster, options);
}
