// DOM building without markup strings: every piece of text from the cluster (task names, ids, output) goes in
// through text nodes or setAttribute, so nothing a task reports can become HTML.

/**
 * Creates an element. `props` keys: `class`, `style` (an object of CSS properties), `data` (an object of
 * data-* values), `on` (event handlers), anything else becomes an attribute. Children are nodes or strings (made text nodes).
 * @param {string} tag
 * @param {Record<string, unknown>} [props]
 * @param {...(Node | string | null | undefined)} children
 * @returns {HTMLElement}
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = String(value);
    // Styles go through the CSSOM: the page's Content-Security-Policy forbids inline style attributes.
    else if (key === "style") Object.assign(node.style, value);
    else if (key === "data") for (const [k, v] of Object.entries(value)) node.dataset[k] = String(v);
    else if (key === "on")
      for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

/**
 * A used/total bar: the used share solid, the offered share hatched, and the figures as text.
 * @param {number} used
 * @param {number} offered
 * @param {number} total
 * @param {(n: number) => string} format
 */
export function bar(used, offered, total, format) {
  const pct = (n) => (total > 0 ? Math.min(100, (n / total) * 100) : 0);
  const usedPct = pct(used);
  const offeredPct = Math.min(100 - usedPct, pct(offered));
  return el(
    "div",
    { class: "meter", title: `used ${format(used)}, offered ${format(offered)}, total ${format(total)}` },
    el(
      "div",
      { class: "track" },
      el("span", { class: "used", style: { width: `${usedPct.toFixed(1)}%` } }),
      el("span", { class: "offered", style: { width: `${offeredPct.toFixed(1)}%` } }),
    ),
    el("span", { class: "figures" }, `${format(used)} / ${format(total)}`),
  );
}

/**
 * Brings a table body in line with `items`, rebuilding only the rows whose signature changed, so rows (and
 * the buttons in them) stay put between polls unless their content moved.
 * @template T
 * @param {HTMLTableSectionElement} tbody
 * @param {T[]} items
 * @param {(item: T) => string} key
 * @param {(item: T) => HTMLTableRowElement} build
 * @param {string} emptyText
 * @param {number} columns
 */
export function syncRows(tbody, items, key, build, emptyText, columns) {
  if (items.length === 0) {
    const empty = tbody.querySelector("tr.empty");
    if (empty === null || tbody.rows.length !== 1) {
      tbody.replaceChildren(el("tr", { class: "empty" }, el("td", { colspan: columns }, emptyText)));
    }
    return;
  }
  /** @type {Map<string, HTMLTableRowElement>} */
  const existing = new Map();
  for (const row of Array.from(tbody.rows))
    if (row.dataset.key !== undefined) existing.set(row.dataset.key, row);
  const rows = items.map((item) => {
    const fresh = build(item);
    const k = key(item);
    fresh.dataset.key = k;
    const old = existing.get(k);
    // The fresh row is compared as built, so any visible change (state, figures, names) swaps the row.
    return old !== undefined && old.outerHTML === fresh.outerHTML ? old : fresh;
  });
  const same = rows.length === tbody.rows.length && rows.every((row, i) => tbody.rows[i] === row);
  if (!same) tbody.replaceChildren(...rows);
}
