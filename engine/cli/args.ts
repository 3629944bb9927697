// A dependency-free argument parser for the qwb CLI: positionals, --flag value, --flag=value,
// boolean flags, and repeatable options. Usage errors are UsageError (exit code 2).

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ParsedArgs {
  positionals: string[];
  /** Repeatable: every value given, in order. */
  options: Map<string, string[]>;
  flags: Set<string>;
}

/** Parses argv; `valued` lists options that take a value, `booleans` the bare flags. */
export function parseArgs(argv: string[], valued: readonly string[], booleans: readonly string[]): ParsedArgs {
  const out: ParsedArgs = { positionals: [], options: new Map(), flags: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--') || a === '--') {
      out.positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
    if (booleans.includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      out.flags.add(name);
    } else if (valued.includes(name)) {
      const value = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      out.options.set(name, [...(out.options.get(name) ?? []), value]);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return out;
}

export function lastOption(p: ParsedArgs, name: string): string | undefined {
  const v = p.options.get(name);
  return v ? v[v.length - 1] : undefined;
}

export function intOption(p: ParsedArgs, name: string, min: number): number | undefined {
  const v = lastOption(p, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, got '${v}'`);
  return n;
}

/** "1x3x224x224" -> [1,3,224,224]. */
export function parseDims(text: string, what: string): number[] {
  const dims = text.split(/[x,]/).map((s) => Number(s.trim()));
  if (dims.length === 0 || dims.some((d) => !Number.isInteger(d) || d < 0)) throw new UsageError(`${what}: invalid dims '${text}' (expected e.g. 1x3x224x224)`);
  return dims;
}

/** "a=b" -> [a, b]; a bare value -> [undefined, value]. */
export function splitPair(text: string): [string | undefined, string] {
  const eq = text.indexOf('=');
  return eq < 0 ? [undefined, text] : [text.slice(0, eq), text.slice(eq + 1)];
}

export function floatList(text: string, what: string): number[] {
  const v = text.split(',').map((s) => Number(s.trim()));
  if (v.some((x) => !Number.isFinite(x))) throw new UsageError(`${what}: invalid number list '${text}'`);
  return v;
}
