// Mutation operators for SQL: one-line changes a careless edit could make to the SQL that
// computes the numbers. Each operator finds its sites in the live definitions of a file (a
// function or view replaced by a later file is dead code there) and proposes one replacement per
// site. Comments are never mutated.

export interface SqlMutant {
  /** Stable id: file, definition, operator and the site's ordinal within that definition. */
  id: string;
  file: string;
  definition: string;
  line: number;
  operator: string;
  original: string;
  replacement: string;
  start: number;
  end: number;
}

interface Site {
  start: number;
  end: number;
  replacement: string;
}

export interface SqlOperator {
  name: string;
  /** What a careless edit would look like. */
  describes: string;
  sites(code: string): Site[];
}

/** The definitions a file creates (functions, views), with their text ranges. */
export interface Definition {
  name: string;
  start: number;
  end: number;
}

const DEFINITION = /create\s+(?:or\s+replace\s+)?(function|view|materialized\s+view)\s+([a-z_]+\.[a-z_]+)/gi;

export function definitionsOf(text: string): Definition[] {
  const found: Definition[] = [];
  for (const match of text.matchAll(DEFINITION)) {
    const start = match.index ?? 0;
    const kind = match[1].toLowerCase();
    let end: number;
    if (kind === "function") {
      // The body is a $$ … $$ block; the definition ends at the statement's `;` after it.
      const open = text.indexOf("$$", start);
      const close = open < 0 ? -1 : text.indexOf("$$", open + 2);
      end = close < 0 ? text.length : text.indexOf(";", close) + 1 || text.length;
    } else {
      end = statementEnd(text, start);
    }
    found.push({ name: match[2].toLowerCase(), start, end });
  }
  return found;
}

function statementEnd(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === "-" && text[i + 1] === "-") i = lineEnd(text, i);
    else if (c === "'") i = text.indexOf("'", i + 1);
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === ";" && depth === 0) return i + 1;
  }
  return text.length;
}

function lineEnd(text: string, from: number): number {
  const end = text.indexOf("\n", from);
  return end < 0 ? text.length : end;
}

/** The code with comments blanked out (same length, so offsets stay valid). */
export function withoutComments(text: string): string {
  return text.replace(/--[^\n]*/g, (comment) => " ".repeat(comment.length));
}

/** Index of the parenthesis closing the one at `open`, or -1. */
function closingParen(code: string, open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (code[i] === "'") {
      i = code.indexOf("'", i + 1);
      if (i < 0) return -1;
    } else if (code[i] === "(") depth++;
    else if (code[i] === ")" && --depth === 0) return i;
  }
  return -1;
}

/** Top-level comma-separated arguments between `open` and its closing parenthesis. */
function argumentsOf(code: string, open: number): { start: number; end: number }[] {
  const close = closingParen(code, open);
  if (close < 0) return [];
  const args: { start: number; end: number }[] = [];
  let depth = 0;
  let argStart = open + 1;
  for (let i = open + 1; i < close; i++) {
    const c = code[i];
    if (c === "'") i = code.indexOf("'", i + 1);
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "," && depth === 0) {
      args.push({ start: argStart, end: i });
      argStart = i + 1;
    }
  }
  args.push({ start: argStart, end: close });
  return args;
}

function regexSites(code: string, pattern: RegExp, replace: (match: RegExpMatchArray) => string | null): Site[] {
  const sites: Site[] = [];
  for (const match of code.matchAll(pattern)) {
    const replacement = replace(match);
    if (replacement === null) continue;
    const start = match.index ?? 0;
    sites.push({ start, end: start + match[0].length, replacement });
  }
  return sites;
}

export const SQL_OPERATORS: SqlOperator[] = [
  {
    name: "range-edge",
    describes: "a comparison at a range edge moved by one (< ↔ <=, > ↔ >=)",
    sites: (code) =>
      regexSites(code, /(?<=\s)(<=|>=|<|>)(?=\s)/g, (m) => ({ "<": "<=", "<=": "<", ">": ">=", ">=": ">" })[m[1]]!),
  },
  {
    name: "between-edge",
    describes: "an inclusive range (between) made exclusive at its upper end",
    sites: (code) =>
      regexSites(code, /\b([a-z_.]+) between ([a-z_.:']+) and ([a-z_.:']+)/gi, (m) =>
        m[0].toLowerCase().includes("symmetric") ? null : `(${m[1]} >= ${m[2]} and ${m[1]} < ${m[3]})`,
      ),
  },
  {
    name: "order-direction",
    describes: "an ordering turned around (asc ↔ desc)",
    sites: (code) => regexSites(code, /\b(asc|desc)\b/gi, (m) => (m[1].toLowerCase() === "asc" ? "desc" : "asc")),
  },
  {
    name: "rounding",
    describes: "money or a ratio rounded to one digit fewer",
    sites: (code) => {
      const sites: Site[] = [];
      for (const match of code.matchAll(/\bround\(/gi)) {
        const open = (match.index ?? 0) + match[0].length - 1;
        const args = argumentsOf(code, open);
        if (args.length !== 2) continue;
        const digits = code.slice(args[1].start, args[1].end).trim();
        if (!/^\d+$/.test(digits) || Number(digits) === 0) continue;
        sites.push({ start: args[1].start, end: args[1].end, replacement: ` ${Number(digits) - 1}` });
      }
      return sites;
    },
  },
  {
    name: "coalesce-drop",
    describes: "a coalesce's fallback dropped (null no longer becomes the default)",
    sites: (code) => {
      const sites: Site[] = [];
      for (const match of code.matchAll(/\bcoalesce\(/gi)) {
        const start = match.index ?? 0;
        const open = start + match[0].length - 1;
        const args = argumentsOf(code, open);
        if (args.length < 2) continue;
        const close = closingParen(code, open);
        sites.push({ start, end: close + 1, replacement: code.slice(args[0].start, args[0].end).trim() });
      }
      return sites;
    },
  },
  {
    name: "and-term-drop",
    describes: "one `and …` condition of a where/join/filter dropped",
    sites: (code) =>
      regexSites(code, /\n(\s*)and ([^\n]*)/g, (m) => {
        const term = m[2];
        let depth = 0;
        for (const c of term) depth += c === "(" ? 1 : c === ")" ? -1 : 0;
        // Only a whole, balanced condition on its own line; one ending the statement keeps its `;`.
        if (depth !== 0 || /\bthen\b|\bloop\b/i.test(term)) return null;
        return `\n${m[1]}${term.trimEnd().endsWith(";") ? ";" : ""}`;
      }),
  },
  {
    name: "day-shift",
    describes: "day arithmetic off by one (+ 1 / - 1 dropped, a 1-day interval made 0)",
    sites: (code) => [
      ...regexSites(code, / ([+-]) 1(?![\d.])/g, () => ""),
      ...regexSites(code, /interval '1 day'/gi, () => "interval '0 days'"),
    ],
  },
  {
    name: "time-zone",
    describes: "a conversion done in UTC instead of the business (or account) time zone",
    sites: (code) =>
      regexSites(code, /at time zone (\([^()]*\)|[a-z_.]+)/gi, (m) => (m[1] === "'UTC'" ? null : "at time zone 'UTC'")),
  },
];

/**
 * Every mutant of one file: each operator at each site inside a live definition. `isLive`
 * says whether this file's definition of a name is the one the database ends up with.
 */
export function mutantsOf(file: string, text: string, isLive: (definition: string) => boolean): SqlMutant[] {
  const code = withoutComments(text);
  const mutants: SqlMutant[] = [];
  for (const definition of definitionsOf(code)) {
    if (!isLive(definition.name)) continue;
    const body = code.slice(definition.start, definition.end);
    for (const operator of SQL_OPERATORS) {
      let ordinal = 0;
      for (const site of operator.sites(body)) {
        const start = definition.start + site.start;
        const end = definition.start + site.end;
        mutants.push({
          id: `${file}:${definition.name}:${operator.name}:${++ordinal}`,
          file,
          definition: definition.name,
          line: text.slice(0, start).split("\n").length,
          operator: operator.name,
          original: text.slice(start, end),
          replacement: site.replacement,
          start,
          end,
        });
      }
    }
  }
  return mutants;
}

export function applyMutant(text: string, mutant: SqlMutant): string {
  return text.slice(0, mutant.start) + mutant.replacement + text.slice(mutant.end);
}
