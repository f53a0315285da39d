// Follows one file of a task's sandbox (stdout or stderr) through the master's /files/read, the way Mesos's
// web UI tails a sandbox: ask for the size (offset -1), then read what was appended since the last look.

/** The most output kept on the page; older text is dropped from the top. */
const KEEP_CHARS = 512 * 1024;
/** Where a long file is first read from: its last this-many bytes. */
const INITIAL_TAIL_BYTES = 256 * 1024;
/**
 * The largest piece asked for at once: the server's cap. Pieces are decoded as UTF-8 on the server, so fewer
 * piece boundaries mean fewer places where a multi-byte character could be cut in two.
 */
const CHUNK_BYTES = 1024 * 1024;

/**
 * @typedef {{ id: string, name: string, framework_id: string, slave_id: string, executor_id: string, state: string }} TaskRef
 */

export class SandboxViewer {
  /** @param {{ section: HTMLElement, title: HTMLElement, path: HTMLElement, output: HTMLElement, note: HTMLElement, tabs: HTMLElement[], close: HTMLElement }} parts */
  constructor(parts, intervalMs) {
    this.parts = parts;
    this.intervalMs = intervalMs;
    /** @type {TaskRef | undefined} */
    this.task = undefined;
    this.file = "stdout";
    this.generation = 0;
    this.timer = undefined;
    /** @type {AbortController | undefined} */
    this.abort = undefined;
    for (const tab of parts.tabs)
      tab.addEventListener("click", () => this.show(this.task, tab.dataset.file ?? "stdout"));
    parts.close.addEventListener("click", () => this.hide());
  }

  /**
   * Shows `file` of `task`'s sandbox and keeps following it until another file is shown or the viewer is closed.
   * @param {TaskRef | undefined} task
   * @param {string} file
   */
  show(task, file) {
    if (task === undefined) return;
    this.stop();
    this.task = task;
    this.file = file;
    const { section, title, path, output, note, tabs } = this.parts;
    section.hidden = false;
    section.dataset.taskId = task.id;
    section.dataset.file = file;
    title.textContent = task.name === "" ? task.id : `${task.name} (${task.id})`;
    for (const tab of tabs) tab.setAttribute("aria-selected", String(tab.dataset.file === file));
    path.textContent = "locating sandbox…";
    output.textContent = "";
    note.textContent = "";
    const generation = ++this.generation;
    this.abort = new AbortController();
    this.follow(generation, { directory: undefined, offset: 0, started: false }).catch(() => undefined);
    section.scrollIntoView({ block: "nearest" });
  }

  hide() {
    this.stop();
    this.task = undefined;
    this.parts.section.hidden = true;
    delete this.parts.section.dataset.taskId;
  }

  stop() {
    this.generation++;
    clearTimeout(this.timer);
    this.abort?.abort();
    this.abort = undefined;
  }

  /** Tells the viewer the task's newest state, so it can say when the output is complete. @param {string} state */
  taskState(state) {
    if (this.task !== undefined) this.task = { ...this.task, state };
  }

  /**
   * One round of following, then the next one scheduled; a newer `show` or `hide` ends the chain.
   * @param {number} generation
   * @param {{ directory: string | undefined, offset: number, started: boolean }} cursor
   */
  async follow(generation, cursor) {
    const { path, output, note } = this.parts;
    const signal = this.abort?.signal;
    const task = this.task;
    if (task === undefined || signal === undefined) return;
    try {
      if (cursor.directory === undefined) {
        const query = new URLSearchParams({
          agent_id: task.slave_id,
          framework_id: task.framework_id,
          // A command task's executor has the task's id (the master reports an empty executor id).
          executor_id: task.executor_id === "" ? task.id : task.executor_id,
        });
        const located = await getJson(`dashboard/sandbox?${query}`, signal);
        if (generation !== this.generation) return;
        if (located.status === 404) {
          path.textContent = "the sandbox does not exist yet";
        } else {
          cursor.directory = located.body.directory;
          path.textContent = `${cursor.directory}/${this.file}`;
        }
      }
      if (cursor.directory !== undefined) {
        const file = `${cursor.directory}/${this.file}`;
        const size = await getJson(`files/read?${new URLSearchParams({ path: file, offset: "-1" })}`, signal);
        if (generation !== this.generation) return;
        if (size.status === 404) {
          note.textContent = `no ${this.file} file in this sandbox yet`;
        } else {
          const end = size.body.offset;
          if (!cursor.started) {
            cursor.started = true;
            if (end > INITIAL_TAIL_BYTES) {
              cursor.offset = end - INITIAL_TAIL_BYTES;
              output.append(document.createTextNode(`… ${cursor.offset} earlier bytes not shown …\n`));
            }
          }
          if (end < cursor.offset) {
            // The file shrank (rewritten): start over.
            output.textContent = "";
            cursor.offset = 0;
          }
          while (cursor.offset < end) {
            const length = Math.min(CHUNK_BYTES, end - cursor.offset);
            const query = new URLSearchParams({
              path: file,
              offset: String(cursor.offset),
              length: String(length),
            });
            const chunk = await getJson(`files/read?${query}`, signal);
            if (generation !== this.generation) return;
            if (chunk.status !== 200) break;
            this.append(chunk.body.data);
            cursor.offset += length;
          }
          const terminal = !/^TASK_(STAGING|STARTING|RUNNING|KILLING)$/.test(this.task?.state ?? "");
          note.textContent = `${cursor.offset} bytes${terminal ? " · task ended, output complete" : " · following"}`;
          output.dataset.bytes = String(cursor.offset);
        }
      }
    } catch (error) {
      if (generation !== this.generation) return;
      note.textContent = `cannot read the sandbox: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (generation !== this.generation) return;
    this.timer = setTimeout(() => {
      this.follow(generation, cursor).catch(() => undefined);
    }, this.intervalMs);
  }

  /** @param {string} text */
  append(text) {
    if (text === "") return;
    const { output } = this.parts;
    const atBottom = output.scrollTop + output.clientHeight >= output.scrollHeight - 4;
    output.append(document.createTextNode(text));
    if ((output.textContent ?? "").length > KEEP_CHARS) {
      output.textContent = (output.textContent ?? "").slice(-KEEP_CHARS);
    }
    if (atBottom) output.scrollTop = output.scrollHeight;
  }
}

/**
 * GET as JSON; a 404 resolves with its status (a sandbox appears a moment after its task), other failures throw.
 * @param {string} url
 * @param {AbortSignal} signal
 */
async function getJson(url, signal) {
  const response = await fetch(url, {
    cache: "no-store",
    signal: AbortSignal.any([signal, AbortSignal.timeout(10_000)]),
  });
  if (response.status === 404) return { status: 404, body: undefined };
  if (!response.ok) throw new Error(`${response.status} ${(await response.text()).slice(0, 200)}`);
  return { status: 200, body: await response.json() };
}
