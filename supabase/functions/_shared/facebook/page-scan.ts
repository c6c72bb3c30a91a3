// What the sync needs from an insights page without parsing it: how many rows `data` holds and
// the `paging` object (its `next`). The rows themselves go to Postgres as the body's text, which
// parses them there (and rejects a body that is not JSON); JSON.parse of every page here was the
// sync process's largest CPU cost and most of its garbage (about 1 KB of objects per row).
//
// A scan, not a validator: it follows strings (escapes included) and nesting to find the
// top-level members. Anything it does not recognise as `{"data": [...], ...}` without an `error`
// member is null, and the caller parses the body the ordinary way.

export interface ScannedPage {
  /** Elements of the top-level `data` array. */
  rows: number;
  /** The top-level `paging` member, parsed (it is small). */
  paging?: { next?: string };
}

const QUOTE = 34; // "
const BACKSLASH = 92; // \
const COMMA = 44; // ,
const COLON = 58; // :
const OPEN_BRACE = 123; // {
const CLOSE_BRACE = 125; // }
const OPEN_BRACKET = 91; // [
const CLOSE_BRACKET = 93; // ]

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

function skipSpace(s: string, i: number): number {
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  return i;
}

/** s[i] is the opening quote; the index after the closing one, or -1. */
function skipString(s: string, i: number): number {
  let j = i + 1;
  for (;;) {
    const q = s.indexOf('"', j);
    if (q < 0) return -1;
    let backslashes = 0;
    for (let k = q - 1; k > i && s.charCodeAt(k) === BACKSLASH; k--) backslashes++;
    if (backslashes % 2 === 0) return q + 1;
    j = q + 1;
  }
}

/**
 * s[i] starts a value; the index after it, or -1. For an array, `counter` (when given) receives
 * the number of its elements.
 */
function skipValue(s: string, i: number, counter?: { n: number }): number {
  const first = s.charCodeAt(i);
  if (first === QUOTE) return skipString(s, i);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    // A number, true, false or null: up to the next delimiter (Postgres checks the spelling).
    let j = i;
    while (j < s.length) {
      const c = s.charCodeAt(j);
      if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || isSpace(c)) break;
      j++;
    }
    return j > i ? j : -1;
  }
  let depth = 0;
  let elements = 0;
  let empty = true;
  for (let j = i; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === QUOTE) {
      if (depth === 1) empty = false;
      j = skipString(s, j) - 1;
      if (j < 0) return -1;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (depth === 1) empty = false;
      depth++;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) {
        if (counter) counter.n = empty ? 0 : elements + 1;
        return j + 1;
      }
    } else if (depth === 1) {
      if (c === COMMA) elements++;
      else if (!isSpace(c)) empty = false;
    }
  }
  return -1;
}

/** The page's row count and paging, or null when the body is not a plain page (then: JSON.parse). */
export function scanGraphPage(s: string): ScannedPage | null {
  let i = skipSpace(s, 0);
  if (s.charCodeAt(i) !== OPEN_BRACE) return null;
  i = skipSpace(s, i + 1);
  let rows: number | null = null;
  let paging: { next?: string } | undefined;
  if (s.charCodeAt(i) === CLOSE_BRACE) return null;
  for (;;) {
    if (s.charCodeAt(i) !== QUOTE) return null;
    const keyEnd = skipString(s, i);
    if (keyEnd < 0) return null;
    let key: string;
    try {
      key = JSON.parse(s.slice(i, keyEnd));
    } catch {
      return null;
    }
    i = skipSpace(s, keyEnd);
    if (s.charCodeAt(i) !== COLON) return null;
    i = skipSpace(s, i + 1);
    const start = i;
    if (key === "error") return null;
    if (key === "data") {
      if (s.charCodeAt(i) !== OPEN_BRACKET) return null;
      const counter = { n: 0 };
      i = skipValue(s, i, counter);
      rows = counter.n;
    } else {
      i = skipValue(s, i);
    }
    if (i < 0) return null;
    if (key === "paging") {
      try {
        paging = JSON.parse(s.slice(start, i));
      } catch {
        return null;
      }
      if (paging === null || typeof paging !== "object") return null;
    }
    i = skipSpace(s, i);
    const c = s.charCodeAt(i);
    if (c === COMMA) {
      i = skipSpace(s, i + 1);
      continue;
    }
    if (c !== CLOSE_BRACE) return null;
    if (skipSpace(s, i + 1) !== s.length) return null;
    break;
  }
  if (rows === null) return null;
  return paging === undefined ? { rows } : { rows, paging };
}
