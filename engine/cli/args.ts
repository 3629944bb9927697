// Parsed command-line arguments of one qwb command and typed reads of them. Every read names an
// option of the command's table entry (reading an undeclared one is a bug, caught in tests); bad
// values are UsageErrors (exit code 2) that name the option.

import type { CommandSpec } from './table';

export class UsageError extends Error {
  override name = 'UsageError';
}

export class Args {
  constructor(
    readonly command: CommandSpec,
    readonly positionals: readonly string[],
    /** Valued options: every value given, in order. */
    private readonly values: ReadonlyMap<string, readonly string[]>,
    private readonly flags: ReadonlySet<string>,
  ) {}

  private declared(name: string, valued: boolean): void {
    const o = this.command.options.find((x) => x.name === name);
    if (!o || (o.value !== undefined) !== valued) throw new Error(`qwb ${this.command.name}: --${name} is not a ${valued ? 'valued option' : 'flag'} of the option table`);
  }

  flag(name: string): boolean {
    this.declared(name, false);
    return this.flags.has(name);
  }

  /** Every value of a repeatable option. */
  all(name: string): readonly string[] {
    this.declared(name, true);
    return this.values.get(name) ?? [];
  }

  /** The last value given. */
  string(name: string): string | undefined {
    const v = this.all(name);
    return v.length ? v[v.length - 1] : undefined;
  }

  required(name: string): string {
    const v = this.string(name);
    if (v === undefined) throw new UsageError(`--${name} ${this.command.options.find((o) => o.name === name)?.value ?? ''} is required`.replace('  ', ' '));
    return v;
  }

  /** An integer in [min, max] (max: 2^31 - 1, what every count and size here fits in). */
  int(name: string, min: number, max = 2 ** 31 - 1): number | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (v.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${v}'`);
    return n;
  }

  number(name: string): number | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got '${v}'`);
    return n;
  }

  /** Exactly `count` positionals (the usage line's), or a usage error naming what was expected. */
  expectPositionals(count: number): readonly string[] {
    if (this.positionals.length !== count) {
      const what = this.command.positionals || 'no arguments';
      throw new UsageError(`${this.command.name} takes ${what}, got ${this.positionals.length ? this.positionals.join(' ') : 'none'}`);
    }
    return this.positionals;
  }
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
