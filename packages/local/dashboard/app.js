// The satyr local cluster dashboard: polls the master's /master/state (the same JSON Apache Mesos serves) and
// renders agents, frameworks, outstanding offers and tasks; a task's stdout/stderr open in the sandbox viewer.

import * as fmt from "./format.js";
import { bar, el, syncRows } from "./render.js";
import { SandboxViewer } from "./sandbox-viewer.js";

const params = new URLSearchParams(location.search);
/** How often to poll; `?interval=250` makes it snappier (tests use it), bounded to 100 ms … 60 s. */
const INTERVAL_MS = Math.min(60_000, Math.max(100, Number(params.get("interval")) || 1000));
/** Completed tasks shown at most (newest first); /master/state keeps more. */
const MAX_COMPLETED = 200;
const ACTIVE_STATES = new Set(["TASK_STAGING", "TASK_STARTING", "TASK_RUNNING", "TASK_KILLING"]);

const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const tbody = (id) => /** @type {HTMLTableSectionElement} */ ($(id).querySelector("tbody"));

const viewer = new SandboxViewer(
  {
    section: $("sandbox"),
    title: $("sandbox-task"),
    path: $("sandbox-path"),
    output: $("sandbox-output"),
    note: $("sandbox-note"),
    tabs: Array.from(document.querySelectorAll("#sandbox .tab")),
    close: $("sandbox-close"),
  },
  INTERVAL_MS,
);

let lastSuccess = 0;
let lastError = "";

function render(state) {
  const agents = state.slaves ?? [];
  const frameworks = [
    ...(state.frameworks ?? []).map((f) => ({ ...f, completed: false })),
    ...(state.completed_frameworks ?? []).map((f) => ({ ...f, completed: true })),
  ];
  const names = new Map(frameworks.map((f) => [f.id, f.name]));
  const agentNames = new Map(agents.map((a) => [a.id, `${a.hostname}:${a.port}`]));
  const offers = frameworks.flatMap((f) => f.offers ?? []);
  const tasks = frameworks.flatMap((f) => f.tasks ?? []);
  const active = tasks.filter((t) => ACTIVE_STATES.has(t.state));
  const completed = [
    ...tasks.filter((t) => !ACTIVE_STATES.has(t.state)),
    ...frameworks.flatMap((f) => f.completed_tasks ?? []),
  ]
    .sort((a, b) => lastTime(b) - lastTime(a))
    .slice(0, MAX_COMPLETED);

  const now = Date.now() / 1000;
  $("master-meta").replaceChildren(
    el("span", {}, `Mesos ${state.version}`),
    el("span", { title: state.id }, `master ${state.hostname}:${state.leader_info?.port ?? ""}`),
    el("span", {}, `up ${fmt.duration(now - state.start_time)}`),
    el("a", { href: "master/state", target: "_blank", rel: "noopener" }, "/master/state"),
  );

  renderSummary(agents, frameworks, active, offers);

  $("agents-count").textContent = String(agents.length);
  syncRows(tbody("agents"), agents, (a) => a.id, agentRow, "No agents.", 8);

  $("frameworks-count").textContent = String(frameworks.filter((f) => !f.completed).length);
  syncRows(
    tbody("frameworks"),
    frameworks,
    (f) => f.id,
    frameworkRow,
    "No framework has subscribed yet.",
    10,
  );

  $("offers-count").textContent = String(offers.length);
  syncRows(
    tbody("offers"),
    offers,
    (o) => o.id,
    (o) => offerRow(o, names, agentNames),
    "No outstanding offers.",
    7,
  );

  $("tasks-count").textContent = String(active.length);
  syncRows(
    tbody("tasks"),
    active,
    (t) => `${t.framework_id}/${t.id}`,
    (t) => taskRow(t, names, agentNames, false),
    "No active tasks.",
    9,
  );

  $("completed-count").textContent = String(completed.length);
  syncRows(
    tbody("completed"),
    completed,
    (t) => `${t.framework_id}/${t.id}`,
    (t) => taskRow(t, names, agentNames, true),
    "No completed tasks.",
    9,
  );

  if (viewer.task !== undefined) {
    const current = tasks
      .concat(frameworks.flatMap((f) => f.completed_tasks ?? []))
      .find((t) => t.id === viewer.task?.id && t.framework_id === viewer.task?.framework_id);
    if (current !== undefined) viewer.taskState(current.state);
  }
}

function renderSummary(agents, frameworks, active, offers) {
  const sum = (list, key, field) => list.reduce((n, x) => n + Number(x[key]?.[field] ?? 0), 0);
  const card = (id, label, value, detail) =>
    el(
      "div",
      { class: "card", id },
      el("div", { class: "label" }, label),
      el("div", { class: "value" }, value),
      detail,
    );
  $("summary").replaceChildren(
    card("card-agents", "Agents", String(agents.length), null),
    card(
      "card-frameworks",
      "Frameworks",
      String(frameworks.filter((f) => f.active).length),
      el("div", { class: "detail" }, `${frameworks.filter((f) => !f.completed).length} registered`),
    ),
    card(
      "card-tasks",
      "Active tasks",
      String(active.length),
      el("div", { class: "detail" }, `${active.filter((t) => t.state === "TASK_RUNNING").length} running`),
    ),
    card("card-offers", "Offers outstanding", String(offers.length), null),
    card(
      "card-cpus",
      "CPUs",
      `${fmt.cpus(sum(agents, "used_resources", "cpus"))} / ${fmt.cpus(sum(agents, "resources", "cpus"))}`,
      bar(
        sum(agents, "used_resources", "cpus"),
        sum(agents, "offered_resources", "cpus"),
        sum(agents, "resources", "cpus"),
        fmt.cpus,
      ),
    ),
    card(
      "card-mem",
      "Memory",
      `${fmt.megabytes(sum(agents, "used_resources", "mem"))} / ${fmt.megabytes(sum(agents, "resources", "mem"))}`,
      bar(
        sum(agents, "used_resources", "mem"),
        sum(agents, "offered_resources", "mem"),
        sum(agents, "resources", "mem"),
        fmt.megabytes,
      ),
    ),
  );
}

function idCell(id) {
  return el("td", { class: "id", title: id }, fmt.shortId(id));
}

function agentRow(a) {
  const meter = (field, format) =>
    el(
      "td",
      {},
      bar(
        Number(a.used_resources?.[field] ?? 0),
        Number(a.offered_resources?.[field] ?? 0),
        Number(a.resources?.[field] ?? 0),
        format,
      ),
    );
  const attributes = Object.entries(a.attributes ?? {})
    .map(([k, v]) => `${k}:${v}`)
    .join(", ");
  return el(
    "tr",
    { data: { agentId: a.id } },
    idCell(a.id),
    el("td", {}, `${a.hostname}:${a.port}`),
    meter("cpus", fmt.cpus),
    meter("mem", fmt.megabytes),
    meter("disk", fmt.megabytes),
    el("td", { class: "num" }, `${fmt.count(a.used_resources?.gpus)} / ${fmt.count(a.resources?.gpus)}`),
    el("td", { class: "mono" }, String(a.resources?.ports ?? "—")),
    el("td", {}, attributes === "" ? "—" : attributes),
  );
}

function frameworkRow(f) {
  const stateText = f.completed
    ? "completed"
    : f.active
      ? "active"
      : f.connected
        ? "inactive"
        : "disconnected";
  const roles = Array.isArray(f.roles) ? f.roles.join(", ") : String(f.role ?? "*");
  return el(
    "tr",
    { data: { frameworkId: f.id }, class: f.completed ? "dim" : undefined },
    idCell(f.id),
    el("td", { class: "name" }, f.name),
    el("td", {}, el("span", { class: `pill ${stateText}` }, stateText)),
    el("td", {}, f.user),
    el("td", {}, roles),
    el("td", { class: "num" }, String((f.tasks ?? []).filter((t) => ACTIVE_STATES.has(t.state)).length)),
    el("td", { class: "num" }, fmt.cpus(f.used_resources?.cpus)),
    el("td", { class: "num" }, fmt.megabytes(f.used_resources?.mem)),
    el("td", { class: "num" }, String((f.offers ?? []).length)),
    el("td", {}, fmt.clock(f.registered_time)),
  );
}

function offerRow(o, names, agentNames) {
  return el(
    "tr",
    { data: { offerId: o.id } },
    idCell(o.id),
    el("td", { title: o.framework_id }, names.get(o.framework_id) ?? o.framework_id),
    el("td", { title: o.slave_id }, agentNames.get(o.slave_id) ?? o.slave_id),
    el("td", { class: "num" }, fmt.cpus(o.resources?.cpus)),
    el("td", { class: "num" }, fmt.megabytes(o.resources?.mem)),
    el("td", { class: "num" }, fmt.megabytes(o.resources?.disk)),
    el("td", { class: "mono" }, String(o.resources?.ports ?? "—")),
  );
}

function lastTime(task) {
  const statuses = task.statuses ?? [];
  return statuses.length === 0 ? 0 : Number(statuses[statuses.length - 1].timestamp);
}

function taskRow(t, names, agentNames, done) {
  const statuses = t.statuses ?? [];
  const when = done ? lastTime(t) : Number(statuses[0]?.timestamp ?? 0);
  const open = (file) => () => viewer.show(t, file);
  return el(
    "tr",
    { data: { taskId: t.id, frameworkId: t.framework_id, state: t.state } },
    el("td", { class: "id mono", title: t.id }, t.id),
    el("td", { class: "name" }, t.name),
    el(
      "td",
      { class: "state" },
      el("span", { class: `badge ${fmt.stateClass(t.state)}`, title: t.state }, fmt.stateLabel(t.state)),
    ),
    el("td", { title: t.framework_id }, names.get(t.framework_id) ?? t.framework_id),
    el("td", { title: t.slave_id }, agentNames.get(t.slave_id) ?? t.slave_id),
    el("td", { class: "num" }, fmt.cpus(t.resources?.cpus)),
    el("td", { class: "num" }, fmt.megabytes(t.resources?.mem)),
    el("td", {}, fmt.clock(when || undefined)),
    el(
      "td",
      { class: "links" },
      el("button", { type: "button", class: "link stdout", on: { click: open("stdout") } }, "stdout"),
      el("button", { type: "button", class: "link stderr", on: { click: open("stderr") } }, "stderr"),
    ),
  );
}

function showStatus() {
  const status = $("status");
  const age = (Date.now() - lastSuccess) / 1000;
  if (lastError !== "" && (lastSuccess === 0 || age > 3 * (INTERVAL_MS / 1000))) {
    status.className = "status down";
    status.textContent = `cannot reach the master: ${lastError}`;
  } else if (lastSuccess !== 0) {
    status.className = "status live";
    status.textContent = `live · every ${INTERVAL_MS >= 1000 ? `${INTERVAL_MS / 1000} s` : `${INTERVAL_MS} ms`}`;
  }
}

async function poll() {
  try {
    const response = await fetch("master/state", {
      cache: "no-store",
      signal: AbortSignal.timeout(Math.max(5000, INTERVAL_MS)),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    render(await response.json());
    lastSuccess = Date.now();
    lastError = "";
    document.body.dataset.polls = String(Number(document.body.dataset.polls ?? 0) + 1);
  } catch (error) {
    lastError = error instanceof Error ? error.message : String(error);
  }
  showStatus();
  setTimeout(poll, document.hidden ? Math.max(INTERVAL_MS, 5000) : INTERVAL_MS);
}

poll();
