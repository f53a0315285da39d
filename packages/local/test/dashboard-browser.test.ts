// The dashboard in a real browser (Debian's chromium, headless, driven by playwright-core): a task launched
// after the page loaded appears running, finishes, and its stdout opens in the sandbox viewer; untrusted text
// (task names, output) stays text. A screenshot goes to artifacts/dashboard.png.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { LocalCluster } from "../src/index.js";
import { commandTask, Scheduler, teardownAll } from "./helpers.js";

const ARTIFACTS = fileURLToPath(new URL("../artifacts/", import.meta.url));

/** Debian's chromium (what scripts/install-system-deps.sh installs), or CHROMIUM_PATH, or one on PATH. */
function findChromium(): string | undefined {
  const candidates = [
    process.env.CHROMIUM_PATH,
    "/usr/bin/chromium",
    ...(process.env.PATH ?? "")
      .split(delimiter)
      .flatMap((dir) => [join(dir, "chromium"), join(dir, "chromium-browser")]),
  ];
  return candidates.find((c): c is string => c !== undefined && c !== "" && existsSync(c));
}

const CHROMIUM = findChromium();
if (CHROMIUM === undefined) {
  console.warn(
    "dashboard-browser.test.ts SKIPPED: no Chromium binary found (looked at $CHROMIUM_PATH, /usr/bin/chromium and " +
      "chromium on PATH). Install Debian's chromium package, e.g. with scripts/install-system-deps.sh.",
  );
}
const describeWithChromium = CHROMIUM === undefined ? describe.skip : describe;

describeWithChromium("dashboard in headless Chromium", () => {
  let cluster: LocalCluster;
  let context: BrowserContext;
  let userDataDir: string;

  beforeAll(async () => {
    cluster = await LocalCluster.start({
      agents: 2,
      resources: [
        { cpus: 2, mem: 2048, disk: 4096, ports: [[31000, 31999]] },
        { cpus: 1, mem: 1024, disk: 2048, ports: [[32000, 32999]] },
      ],
      attributes: [{ rack: "r1" }, { rack: "r2" }],
      allocationIntervalMs: 100,
    });
    userDataDir = mkdtempSync(join(tmpdir(), "satyr-dashboard-chromium-"));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM!,
      headless: true,
      viewport: { width: 1400, height: 1000 },
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
      ],
    });
  }, 30_000);

  afterAll(async () => {
    await teardownAll();
    await context?.close();
    await cluster?.stop();
    if (userDataDir !== undefined) rmSync(userDataDir, { recursive: true, force: true });
  });

  async function textOf(page: Page, selector: string): Promise<string> {
    return (await page.locator(selector).first().textContent()) ?? "";
  }

  /** Waits until an element's whole text is exactly `text` (Playwright's hasText only matches a substring). */
  async function untilText(page: Page, selector: string, text: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let seen = "";
    while (Date.now() < deadline) {
      seen = await textOf(page, selector);
      if (seen === text) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(
      `${selector} shows ${JSON.stringify(seen)}, not ${JSON.stringify(text)}, after ${timeoutMs} ms`,
    );
  }

  test("a task appears running, finishes, and its stdout opens; names and output stay text", async () => {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console: ${message.text()}`);
    });
    let navigations = 0;
    page.on("framenavigated", (frame) => {
      if (frame === page.mainFrame()) navigations++;
    });

    await page.goto(`${cluster.dashboardUrl}?interval=250`);
    const [agent0, agent1] = cluster.agents;
    await page.locator(`#agents tr[data-agent-id="${agent0!.id}"]`).waitFor();
    await page.locator(`#agents tr[data-agent-id="${agent1!.id}"]`).waitFor();
    expect(await textOf(page, "#tasks tbody")).toBe("No active tasks.");

    // Everything below arrives by polling: the page is never reloaded.
    const s = await Scheduler.subscribe(cluster.masterUrl, { name: "dashboard <test> & co" });
    await page.locator(`#frameworks tr[data-framework-id="${s.frameworkId}"] td.name`).waitFor();
    expect(await textOf(page, `#frameworks tr[data-framework-id="${s.frameworkId}"] td.name`)).toBe(
      "dashboard <test> & co",
    );
    const offers = await s.sub.offers();
    const offer = offers.find((o: { agent_id: { value: string } }) => o.agent_id.value === agent0!.id);
    await page.locator(`#offers tr[data-offer-id="${offer.id.value}"]`).waitFor();

    const hostileName = `<img src=x onerror="window.__injected=1">hello-task`;
    await s.launch(
      offer,
      [
        {
          ...commandTask("dash-1", "echo hello-dashboard; echo '<b>not bold</b>'; sleep 3"),
          name: hostileName,
        },
        commandTask("dash-2", "echo still-working; sleep 60", { cpus: 0.5, mem: 256 }),
      ],
      0,
    );

    const running = page.locator('#tasks tr[data-task-id="dash-1"]');
    await running.locator(".badge", { hasText: "RUNNING" }).waitFor({ timeout: 15_000 });
    expect(await running.locator("td.name").textContent()).toBe(hostileName);
    expect(await page.locator("#tasks img, #completed img").count()).toBe(0);
    // Used resources of the agent reflect both tasks (0.1 + 0.5 CPUs, 32 + 256 MB).
    const agentRow = page.locator(`#agents tr[data-agent-id="${agent0!.id}"]`);
    await agentRow.locator(".figures", { hasText: "0.6 / 2" }).waitFor();
    expect(await agentRow.locator(".figures").nth(1).textContent()).toBe("288 MB / 2.0 GB");

    await s.until("dash-1", "TASK_FINISHED", 15_000);
    const finished = page.locator('#completed tr[data-task-id="dash-1"]');
    await finished.locator(".badge", { hasText: "FINISHED" }).waitFor({ timeout: 10_000 });
    await page.locator('#tasks tr[data-task-id="dash-1"]').waitFor({ state: "detached" });
    await page.locator('#tasks tr[data-task-id="dash-2"] .badge', { hasText: "RUNNING" }).waitFor();

    await finished.locator("button.stdout").click();
    const output = page.locator("#sandbox-output");
    await untilText(page, "#sandbox-output", "hello-dashboard\n<b>not bold</b>\n");
    expect(await output.locator("b").count()).toBe(0);
    expect(await page.locator("#sandbox").getAttribute("data-task-id")).toBe("dash-1");
    await page.locator("#sandbox-note", { hasText: "output complete" }).waitFor();
    expect(await textOf(page, "#sandbox-path")).toMatch(/\/executors\/dash-1\/runs\/[0-9a-f-]+\/stdout$/);
    expect(await page.evaluate("window.__injected")).toBeUndefined();

    // The summary counts what the tables show.
    expect(await textOf(page, "#card-agents .value")).toBe("2");
    expect(await textOf(page, "#card-tasks .value")).toBe("1");
    expect(await textOf(page, "#status")).toMatch(/^live/);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "dashboard.png"), fullPage: true });
    expect(existsSync(join(ARTIFACTS, "dashboard.png"))).toBe(true);

    // Opening the still-running task's stdout follows it.
    await page.locator('#tasks tr[data-task-id="dash-2"] button.stdout').click();
    await untilText(page, "#sandbox-output", "still-working\n");
    expect(await textOf(page, "#sandbox-note")).toMatch(/following$/);

    expect(navigations).toBe(1);
    expect(problems).toEqual([]);
  }, 60_000);
});
