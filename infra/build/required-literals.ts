/**
 * What a regular expression cannot match without: from a pattern's source
 * (flags i, no u), a set of lower-case ASCII strings of which every match
 * contains at least one, or undefined when the analysis finds no such set.
 * Only ever used to skip a pattern, never to decide a match, so "undefined"
 * is always safe: it means "run the pattern".
 */

interface Facts {
  /** The node matches exactly one of these strings (case folded). */
  readonly exact?: readonly string[];
  /** Every match of the node contains one of these. */
  readonly need?: readonly string[];
  /** Consumes nothing (\b, ^, $, lookarounds). */
  readonly zeroWidth?: boolean;
  /** A repeated node (x{2,}): every match starts with one of these and ends with one of these. */
  readonly edge?: readonly string[];
}

const NONE: Facts = {};
const isHigh = (c: string) => c.length === 1 && c.charCodeAt(0) >= 0xd800 && c.charCodeAt(0) <= 0xdbff;
const ZERO: Facts = { zeroWidth: true };
const MAX_STRINGS = 64;

export function requiredLiterals(source: string): string[] | undefined {
  const parser = new Parser(source);
  const facts = parser.alternation();
  if (parser.at < source.length) return undefined;
  const need = facts.need ?? facts.exact;
  return need?.every((s) => s.length > 0) ? [...new Set(need)] : undefined;
}

/** Every concatenation of `n` strings from `strings`. */
function power(strings: readonly string[], n: number): string[] {
  let out = [''];
  for (let i = 0; i < n; i++) out = out.flatMap((o) => strings.map((s) => o + s));
  return out;
}

/** Shorter literals match more texts; the best set is the one whose shortest string is longest. */
function better(a: readonly string[] | undefined, b: readonly string[] | undefined): readonly string[] | undefined {
  if (!b || b.length === 0 || b.some((s) => s.length === 0)) return a;
  if (!a) return b;
  const minA = Math.min(...a.map((s) => s.length));
  const minB = Math.min(...b.map((s) => s.length));
  return minB > minA || (minB === minA && b.length < a.length) ? b : a;
}

class Parser {
  at = 0;
  private readonly src: string;
  constructor(src: string) {
    this.src = src;
  }

  alternation(): Facts {
    const branches = [this.sequence()];
    while (this.src[this.at] === '|') {
      this.at++;
      branches.push(this.sequence());
    }
    if (branches.length === 1) return branches[0]!;
    const exact = branches.every((b) => b.exact) ? branches.flatMap((b) => b.exact!) : undefined;
    const needs = branches.map((b) => b.need ?? b.exact);
    const need = needs.every((n) => n) ? needs.flatMap((n) => n!) : undefined;
    return { exact: exact && exact.length <= MAX_STRINGS ? exact : undefined, need: need && need.length <= MAX_STRINGS * 4 ? need : undefined };
  }

  sequence(): Facts {
    let run: string[] = [''];
    let allExact = true;
    let best: readonly string[] | undefined;
    const close = () => {
      best = better(best, run);
      run = [''];
    };
    const extend = (strings: readonly string[]) => {
      if (run.length * strings.length > MAX_STRINGS) return false;
      run = run.flatMap((r) => strings.map((e) => r + e));
      return true;
    };
    while (this.at < this.src.length && this.src[this.at] !== '|' && this.src[this.at] !== ')') {
      const f = this.quantified();
      if (f.zeroWidth) continue;
      if (f.exact && extend(f.exact)) continue;
      allExact = false;
      if (f.edge) {
        // What comes before runs into the repeat's first copies; what follows, out of its last ones.
        if (!extend(f.edge)) best = better(best, f.edge);
        close();
        run = [...f.edge];
        continue;
      }
      close();
      if (f.exact) run = [...f.exact];
      else best = better(best, f.need);
    }
    const exact = allExact ? run : undefined;
    close();
    return { exact, need: best };
  }

  quantified(): Facts {
    const atom = this.atom();
    const q = /^(?:([?*+])|\{(\d+)(?:(,)(\d*))?\})\??/.exec(this.src.slice(this.at));
    if (!q) return atom;
    this.at += q[0].length;
    const min = q[1] === '?' || q[1] === '*' ? 0 : q[1] === '+' ? 1 : Number(q[2]);
    const max = q[1] ? (q[1] === '?' ? 1 : Number.POSITIVE_INFINITY) : q[3] ? (q[4] ? Number(q[4]) : Number.POSITIVE_INFINITY) : min;
    if (atom.zeroWidth || min === 0) return atom.zeroWidth ? ZERO : NONE;
    if (min === 1 && max === 1) return atom;
    const copies = atom.exact && atom.exact.length ** min <= MAX_STRINGS ? power(atom.exact, min) : undefined;
    if (copies && min === max) return { exact: copies };
    if (copies) return { need: copies, edge: copies };
    return { need: atom.need ?? atom.exact };
  }

  atom(): Facts {
    const c = this.src[this.at++]!;
    if (c === '(') return this.group();
    if (c === '[') return this.charClass();
    if (c === '\\') return this.escape();
    if (c === '^' || c === '$') return ZERO;
    if (c === '.') return NONE;
    if (isHigh(c) && /^[\udc00-\udfff]$/.test(this.src[this.at] ?? '')) return literal(c + this.src[this.at++]);
    return literal(c);
  }

  group(): Facts {
    const rest = this.src.slice(this.at);
    const look = /^\?(?:=|!|<=|<!)/.exec(rest);
    const prefix = look ?? /^\?(?::|[ims]*-?[ims]*:|<[A-Za-z_$][\w$]*>)/.exec(rest);
    if (prefix) this.at += prefix[0].length;
    const inner = this.alternation();
    if (this.src[this.at] !== ')') throw new Error(`unbalanced group at ${this.at}`);
    this.at++;
    return look ? ZERO : inner;
  }

  /** A short class of plain characters (['’], [*#]) is an alternation of them; ranges, negations and escapes like \w are not read. */
  charClass(): Facts {
    const start = this.at;
    while (this.at < this.src.length && this.src[this.at] !== ']') this.at += this.src[this.at] === '\\' ? 2 : 1;
    const body = this.src.slice(start, this.at++);
    if (body.startsWith('^') || /-(?!$)/.test(body.slice(1))) return NONE;
    const members: string[] = [];
    for (let i = 0; i < body.length; i++) {
      let c = body[i]!;
      if (c === '\\') {
        c = body[++i] ?? '';
        if (!/^[^A-Za-z0-9]$/.test(c)) return NONE; // \w, \d, \u00A3, \b...: left to the pattern
      }
      const f = literal(c);
      if (!f.exact) return NONE;
      members.push(...f.exact);
    }
    const unique = [...new Set(members)];
    return unique.length > 0 && unique.length <= 12 ? { exact: unique } : NONE;
  }

  escape(): Facts {
    const c = this.src[this.at++]!;
    if (c === 'b' || c === 'B') return ZERO;
    if (c === 'u' || c === 'x') {
      const hex = this.src.slice(this.at, this.at + (c === 'u' ? 4 : 2));
      this.at += hex.length;
      const unit = String.fromCharCode(Number.parseInt(hex, 16));
      const low = /^\\u(d[c-f][0-9a-f]{2})/i.exec(this.src.slice(this.at));
      if (!isHigh(unit) || !low) return literal(unit);
      this.at += low[0].length;
      return literal(unit + String.fromCharCode(Number.parseInt(low[1]!, 16)));
    }
    if (c === 'c') {
      this.at++;
      return NONE;
    }
    if (/[1-9]/.test(c)) {
      while (/[0-9]/.test(this.src[this.at] ?? '')) this.at++; // a backreference: whatever its group matched
      return NONE;
    }
    if (c === 'k' && this.src[this.at] === '<') {
      this.at = this.src.indexOf('>', this.at) + 1; // a named backreference
      return NONE;
    }
    if (/[dDwWsSpP0]/.test(c)) return NONE;
    const controls: Record<string, string> = { n: '\n', r: '\r', t: '\t', f: '\f', v: '\v' };
    return literal(controls[c] ?? c);
  }
}

/**
 * An ASCII character matches itself in either case, and lower-casing the text
 * keeps it. So do symbols and punctuation (no case) and emoji written as a
 * surrogate pair (U+1F000-U+1FBFF: no cased letters there). Anything else,
 * a lone surrogate included, is left to the pattern.
 */
function literal(c: string): Facts {
  const code = c.charCodeAt(0);
  if (code < 128) return { exact: [c.toLowerCase()] };
  if (/^[\p{S}\p{P}]$/u.test(c) || (c.length === 2 && code >= 0xd83c && code <= 0xd83e)) return { exact: [c] };
  return NONE;
}
