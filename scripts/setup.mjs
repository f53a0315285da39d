#!/usr/bin/env node
// One-step set-up for a fresh machine with only Node.js and npm: installs the workspace with the pinned pnpm
// (from the lockfile, exactly) and builds every package.
import { spawnSync } from "node:child_process";

const pnpm = (...args) => {
  const r = spawnSync(process.execPath, [new URL("pnpm.mjs", import.meta.url).pathname, ...args], {
    stdio: "inherit",
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
pnpm("install", "--frozen-lockfile");
pnpm("turbo", "run", "build");
