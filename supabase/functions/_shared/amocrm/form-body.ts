// PHP-style form bodies (`leads[status][0][custom_fields][3][values][0][value]=...`) to nested
// JSON. amoCRM webhooks are built for PHP's parser; the usual JS one (`qs`) silently turns
// indices above 20 into objects, stops at depth 5 and drops parameters past 1,000, all of which
// a bulk change of a hundred deals with thirty custom fields exceeds. URLSearchParams does the
// percent-decoding (`+` is a space); this walker does the brackets, with no such limits.

export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type FormObject = { [key: string]: FormValue };

export class FormBodyError extends Error {
  override name = "FormBodyError";
}

/** Deepest key accepted (`a[b][c]` is 3), as PHP's max_input_nesting_level: amoCRM's keys are 8 at most. */
export const MAX_KEY_DEPTH = 64;

/**
 * `a[b][0][c]` → ["a", "b", "0", "c"]; a key without a well-formed bracket tail is one segment.
 * Stops once there are more than `maxSegments` (the caller refuses such a key).
 */
export function keySegments(key: string, maxSegments = Infinity): string[] {
  const open = key.indexOf("[");
  if (open <= 0) return [key];
  const segments = [key.slice(0, open)];
  let i = open;
  while (i < key.length && segments.length <= maxSegments) {
    const close = key[i] === "[" ? key.indexOf("]", i + 1) : -1;
    // PHP keeps a malformed tail (e.g. `a[b]x` or `a[b`) as part of the last name: so do we.
    if (close < 0) {
      segments[segments.length - 1] += key.slice(i);
      break;
    }
    segments.push(key.slice(i + 1, close));
    i = close + 1;
  }
  return segments;
}

/** A key as error messages quote it: JSON, cut short. */
function quoted(key: string): string {
  return JSON.stringify(key.length > 100 ? `${key.slice(0, 100)}…` : key);
}

const INDEX = /^(0|[1-9][0-9]{0,8})$/;

/** Parses a form body into nested objects; objects whose keys are all indices become arrays. */
export function parseFormBody(body: string): FormObject {
  if (body.includes("\u0000")) throw new FormBodyError("the body contains NUL bytes");
  // Null-prototype objects: a key such as `__proto__[x]` is data, never Object.prototype.
  const root: FormObject = Object.create(null);
  // Keys per object, for `[]` appends (counting them each time is quadratic in a bulk body).
  const sizes = new Map<FormObject, number>();
  for (const [key, value] of new URLSearchParams(body)) {
    if (value.includes("\u0000") || key.includes("\u0000")) {
      throw new FormBodyError(`parameter ${quoted(key)} contains a NUL byte`);
    }
    if (key === "") continue;
    const segments = keySegments(key, MAX_KEY_DEPTH);
    if (segments.length > MAX_KEY_DEPTH) {
      throw new FormBodyError(`parameter ${quoted(key)} is nested more than ${MAX_KEY_DEPTH} levels deep`);
    }
    let node: FormObject = root;
    for (let i = 0; i < segments.length - 1; i++) {
      // `a[]` appends, as in PHP: the next free index.
      const segment = segments[i] === "" ? String(sizes.get(node) ?? 0) : segments[i];
      const next = node[segment];
      if (next === undefined) {
        const child: FormObject = Object.create(null);
        node[segment] = child;
        sizes.set(node, (sizes.get(node) ?? 0) + 1);
        node = child;
      } else if (typeof next === "object" && !Array.isArray(next)) {
        node = next;
      } else {
        throw new FormBodyError(`parameter ${quoted(key)} nests under a plain value`);
      }
    }
    const last = segments[segments.length - 1] === "" ? String(sizes.get(node) ?? 0) : segments[segments.length - 1];
    const existing = node[last];
    if (existing !== undefined && typeof existing === "object") {
      throw new FormBodyError(`parameter ${quoted(key)} would replace nested values`);
    }
    // A repeated plain key: the last one wins, as in PHP.
    if (existing === undefined) sizes.set(node, (sizes.get(node) ?? 0) + 1);
    node[last] = value;
  }
  return arraysFromIndices(root) as FormObject;
}

// Objects keyed only by indices are lists (`[0]`, `[1]`, ...), in index order. Sparse indices
// keep their order; the gaps are not filled.
function arraysFromIndices(value: FormValue): FormValue {
  if (typeof value !== "object" || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  for (const key of keys) value[key] = arraysFromIndices(value[key]);
  if (keys.length > 0 && keys.every((k) => INDEX.test(k))) {
    return keys.sort((a, b) => Number(a) - Number(b)).map((k) => value[k]);
  }
  return value;
}
