// Starts every run with an empty report: the table printed at the end covers this run only.
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";

export default function globalSetup(globalConfig) {
  const dir = join(globalConfig.rootDir, "artifacts");
  mkdirSync(dir, { recursive: true });
  rmSync(join(dir, "fault-report.jsonl"), { force: true });
  process.env.SATYR_FAULTS_STARTED = String(Date.now());
}
