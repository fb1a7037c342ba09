// DOM helpers. Everything a chain holds (model names, metadata, URIs) is written as text,
// never as HTML: a model named `<img onerror=…>` shows as those characters.

/**
 * An element: `h('a', { href: '#/x', class: 'link' }, 'text', child)`. Attributes named `on…`
 * are listeners; `dataset` keys go to data-*; children are nodes, strings or arrays of them
 * (null and false are skipped).
 * @param {string} tag
 * @param {Record<string, any> | null} [attrs]
 * @param {...any} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value') /** @type {any} */ (el).value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

/**
 * @param {Element} el
 * @param {any[]} children
 */
function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/**
 * Replaces an element's children.
 * @param {Element} el
 * @param {...any} children
 */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/**
 * A table: `headers` and rows of cells (nodes or text); `empty` when there is no row.
 * @param {string[]} headers
 * @param {any[][]} rows
 * @param {{ empty?: string, testid?: string }} [options]
 */
export function table(headers, rows, { empty = 'none', testid } = {}) {
  if (!rows.length) return h('p', { class: 'empty', 'data-testid': testid }, empty);
  return h('table', { 'data-testid': testid },
    h('thead', null, h('tr', null, headers.map((x) => h('th', null, x)))),
    h('tbody', null, rows.map((r) => h('tr', null, r.map((c) => h('td', null, c))))));
}

/**
 * Definition list of `[term, value]` pairs.
 * @param {[string, any][]} pairs
 * @param {string} [testid]
 */
export function facts(pairs, testid) {
  return h('dl', { class: 'facts', 'data-testid': testid }, pairs.map(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
}

/**
 * A hash or account, shortened, with the whole value as its title; a link when `href`.
 * @param {string} value
 * @param {string} [href]
 */
export function mono(value, href) {
  const s = String(value);
  const text = s.length > 18 ? `${s.slice(0, 8)}…${s.slice(-6)}` : s;
  return href ? h('a', { class: 'mono', href, title: s }, text) : h('span', { class: 'mono', title: s }, text);
}

/**
 * A notice: `kind` is info, ok, warn or error.
 * @param {'info' | 'ok' | 'warn' | 'error'} kind
 * @param {...any} children
 */
export function notice(kind, ...children) {
  return h('div', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, ...children);
}
