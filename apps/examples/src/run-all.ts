/**
 * Runs every example in turn — on `MESOS_MASTER` when it is set, otherwise on one embedded local cluster started
 * here for all of them — with a progress display and a summary table at the end. Exits non-zero if any failed.
 *
 *   node dist/run-all.js [name ...]     (names filter the examples, e.g. `futures docker-task`)
 */
import { type ClusterThread, startClusterThread } from "@satyr/local";
import { MultiBar, Presets } from "cli-progress";
import { type Example, examples } from "./examples.js";
import type { Log } from "./support/main.js";

interface Outcome {
  readonly example: Example;
  readonly ok: boolean;
  readonly ms: number;
  readonly summary: string;
}

/** Progress as a bar on a terminal, as plain lines elsewhere (CI logs, pipes). */
interface Progress {
  log(line: string): void;
  start(example: Example, index: number): void;
  finish(): void;
}

function progress(total: number): Progress {
  if (!process.stdout.isTTY) {
    return {
      log: (line) => console.log(`  ${line}`),
      start: (example, index) => console.log(`[${index + 1}/${total}] ${example.title}`),
      finish: () => {},
    };
  }
  const bars = new MultiBar(
    {
      format: "{bar} {value}/{total} | {example}",
      hideCursor: true,
      clearOnComplete: true,
      stopOnComplete: false,
    },
    Presets.shades_classic,
  );
  const bar = bars.create(total, 0, { example: "" });
  return {
    log: (line) => bars.log(`  ${line}\n`),
    start: (example, index) => {
      bars.log(`[${index + 1}/${total}] ${example.title}\n`);
      bar.update(index, { example: example.title });
    },
    finish: () => {
      bar.update(total, { example: "done" });
      // stop() drops log lines not rendered yet: render once more so the last example's lines are printed.
      bars.update();
      bars.stop();
    },
  };
}

async function runOne(example: Example, log: Log): Promise<Outcome> {
  const started = performance.now();
  try {
    const summary = await example.main(log);
    return { example, ok: true, ms: performance.now() - started, summary };
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    log(`FAILED: ${error instanceof Error ? (error.stack ?? message) : message}`);
    return { example, ok: false, ms: performance.now() - started, summary: message };
  }
}

function table(outcomes: readonly Outcome[]): string {
  const rows = outcomes.map((o) => [
    o.example.name,
    o.ok ? "ok" : "FAILED",
    `${(o.ms / 1000).toFixed(1)} s`,
    o.summary,
  ]);
  const header = ["example", "result", "time", "what it did"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  // The last column is not padded (it is the long one).
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join(" | ");
  const rule = widths.map((w, i) => "-".repeat(i === widths.length - 1 ? Math.min(w, 40) : w)).join("-+-");
  return [line(header), rule, ...rows.map(line)].join("\n");
}

async function main(argv: readonly string[]): Promise<number> {
  const unknown = argv.filter((name) => !examples.some((e) => e.name === name));
  if (unknown.length > 0) {
    console.error(
      `unknown example(s): ${unknown.join(", ")}; known: ${examples.map((e) => e.name).join(", ")}`,
    );
    return 2;
  }
  const selected = argv.length === 0 ? examples : examples.filter((e) => argv.includes(e.name));

  let cluster: ClusterThread | undefined;
  const given = process.env.MESOS_MASTER;
  if (given === undefined || given === "") {
    // One cluster for every example, on its own thread as run() starts one; a short allocation interval keeps the
    // whole run quick.
    cluster = await startClusterThread({ agents: 2, allocationIntervalMs: 100 });
    process.env.MESOS_MASTER = cluster.masterUrl;
    console.log(`embedded local cluster: master ${cluster.masterUrl} (2 agents)`);
    if (cluster.dashboardUrl !== undefined) console.log(`dashboard: ${cluster.dashboardUrl}`);
  } else {
    console.log(`MESOS_MASTER=${given}`);
  }

  const outcomes: Outcome[] = [];
  const started = performance.now();
  try {
    const display = progress(selected.length);
    for (const [index, example] of selected.entries()) {
      display.start(example, index);
      outcomes.push(await runOne(example, display.log));
    }
    display.finish();
  } finally {
    if (cluster !== undefined) {
      delete process.env.MESOS_MASTER;
      await cluster.stop();
    }
  }

  const failed = outcomes.filter((o) => !o.ok);
  console.log(`\n${table(outcomes)}\n`);
  console.log(
    `${outcomes.length - failed.length}/${outcomes.length} examples succeeded in ${((performance.now() - started) / 1000).toFixed(1)} s` +
      (failed.length > 0 ? `; failed: ${failed.map((o) => o.example.name).join(", ")}` : ""),
  );
  return failed.length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
