#!/usr/bin/env node
// Runs the pinned pnpm with the given arguments, on a machine that may have only Node.js and npm:
// pnpm from PATH when its version matches, else through npx (which fetches the pinned version once).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

const root = new URL("..", import.meta.url);
const pinned = JSON.parse(readFileSync(new URL("package.json", root), "utf8")).packageManager.split("@")[1];
const args = process.argv.slice(2);
const env = { ...process.env, COREPACK_INTEGRITY_KEYS: "0", COREPACK_ENABLE_DOWNLOAD_PROMPT: "0" };

const onPath = spawnSync("pnpm", ["--version"], { encoding: "utf8", env });
const command =
  onPath.status === 0 && onPath.stdout.trim() === pinned
    ? ["pnpm", args]
    : ["npx", ["--yes", `pnpm@${pinned}`, ...args]];
const result = spawnSync(command[0], command[1], { stdio: "inherit", env, cwd: root });
process.exit(result.status ?? 1);
