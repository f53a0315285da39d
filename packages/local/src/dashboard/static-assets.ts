import { readFile } from "node:fs/promises";

/** The shipped page: plain HTML, CSS and ES modules in the package's `dashboard/` folder, no build step. */
const ASSET_DIR = new URL("../../dashboard/", import.meta.url);

/** A file of the page and the content type it is served with. */
export interface StaticAsset {
  readonly file: string;
  readonly contentType: string;
}

/**
 * The URL paths the dashboard serves, each mapped to one fixed file, so a request can never name another file.
 *
 * @example
 * ```ts
 * STATIC_ASSETS.get("/")?.file; // "index.html"
 * ```
 */
export const STATIC_ASSETS: ReadonlyMap<string, StaticAsset> = new Map([
  ["/", { file: "index.html", contentType: "text/html; charset=utf-8" }],
  ["/index.html", { file: "index.html", contentType: "text/html; charset=utf-8" }],
  ["/dashboard/app.js", { file: "app.js", contentType: "text/javascript; charset=utf-8" }],
  ["/dashboard/render.js", { file: "render.js", contentType: "text/javascript; charset=utf-8" }],
  ["/dashboard/format.js", { file: "format.js", contentType: "text/javascript; charset=utf-8" }],
  [
    "/dashboard/sandbox-viewer.js",
    { file: "sandbox-viewer.js", contentType: "text/javascript; charset=utf-8" },
  ],
  ["/dashboard/style.css", { file: "style.css", contentType: "text/css; charset=utf-8" }],
  ["/dashboard/favicon.svg", { file: "favicon.svg", contentType: "image/svg+xml" }],
]);

/**
 * Reads one asset of the page. Read on every request (they are a few kilobytes) so an edited page shows on reload.
 *
 * @example
 * ```ts
 * const body = await readAsset(STATIC_ASSETS.get("/")!);
 * ```
 */
export function readAsset(asset: StaticAsset): Promise<Buffer> {
  return readFile(new URL(asset.file, ASSET_DIR));
}
