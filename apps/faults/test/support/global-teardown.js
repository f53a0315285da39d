// Prints the scenario table from the report lines the tests wrote, so CI output shows the counts.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const COLUMNS = ["scenario", "submitted", "settled", "fulfilled", "rejected", "retried", "lost", "seconds"];

export default function globalTeardown(globalConfig) {
  const file = join(globalConfig.rootDir, "artifacts", "fault-report.jsonl");
  if (!existsSync(file)) {
    process.stdout.write("\nfault suite: no scenario reported (artifacts/fault-report.jsonl is missing)\n");
    return;
  }
  const rows = readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line));
  const cells = rows.map((r) => [
    r.scenario,
    String(r.submitted),
    String(r.settled),
    String(r.fulfilled),
    String(r.rejected),
    String(r.retried),
    String(r.lost),
    (r.durationMs / 1000).toFixed(1),
  ]);
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const line = (values) =>
    `| ${values.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join(" | ")} |`;
  const out = [
    "",
    "satyr fault suite: every submitted task settles exactly once",
    line(COLUMNS),
    `|${widths.map((w, i) => (i === 0 ? `:${"-".repeat(w + 1)}` : `${"-".repeat(w + 1)}:`)).join("|")}|`,
    ...cells.map(line),
    "",
  ];
  const totalLost = rows.reduce((sum, r) => sum + r.lost, 0);
  const doubles = rows.reduce((sum, r) => sum + (r.doubleSettles ?? 0), 0);
  const started = Number(process.env.SATYR_FAULTS_STARTED);
  out.push(
    `${rows.length} scenarios, lost ${totalLost}, double settles ${doubles}` +
      (Number.isFinite(started) ? `, ${((Date.now() - started) / 1000).toFixed(0)} s` : ""),
    "",
  );
  process.stdout.write(`${out.join("\n")}\n`);
}
