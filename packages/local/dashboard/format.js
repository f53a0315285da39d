// Formatting of /master/state values for display. Every function returns plain strings; the caller puts them
// into the page as text, never as markup.

/** @param {number | undefined} value */
export function cpus(value) {
  const n = Number(value ?? 0);
  return Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/0$/, "");
}

/** Megabytes as Mesos reports them, shown in MB or GB. @param {number | undefined} value */
export function megabytes(value) {
  const n = Number(value ?? 0);
  if (n >= 1024) return `${(n / 1024).toFixed(n >= 10240 ? 0 : 1)} GB`;
  return `${Math.round(n)} MB`;
}

/** A plain count. @param {number | undefined} value */
export function count(value) {
  return String(Math.round(Number(value ?? 0) * 100) / 100);
}

/**
 * The distinctive tail of a Mesos id ("…-S0" for an agent, "…-0003" for a framework); the full id goes in a title.
 * @param {string} id
 */
export function shortId(id) {
  const m = /-((?:S|O)?\d+)$/.exec(id);
  return m === null ? id : `…-${m[1]}`;
}

/** Seconds since the epoch (a Mesos timestamp) as a time of day. @param {number | undefined} seconds */
export function clock(seconds) {
  if (seconds === undefined || seconds === 0) return "—";
  return new Date(seconds * 1000).toLocaleTimeString([], { hour12: false });
}

/** A duration in seconds, as "42 s", "3 min 5 s", "2 h 10 min". @param {number} seconds */
export function duration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** A Mesos task state without its prefix, for the badge text. @param {string} state */
export function stateLabel(state) {
  return state.replace(/^TASK_/, "");
}

/** The colour family of a task state, used as a CSS class. @param {string} state */
export function stateClass(state) {
  switch (state) {
    case "TASK_RUNNING":
      return "running";
    case "TASK_STAGING":
    case "TASK_STARTING":
      return "starting";
    case "TASK_FINISHED":
      return "finished";
    case "TASK_KILLING":
    case "TASK_KILLED":
      return "killed";
    case "TASK_FAILED":
    case "TASK_ERROR":
      return "failed";
    default:
      return "lost";
  }
}
