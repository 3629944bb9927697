// The qwb parser: Node's own util.parseArgs, configured from the option table.
//
// Why util.parseArgs and not commander: it ships with Node 20 (no dependency to install, audit or
// bundle into the app), it only tokenizes, so the table in table.ts stays plain data that the help,
// the README and the tests read as well, and the help and error texts stay ours. What it lacks, we
// add on its tokens: "did you mean" for unknown names, choices, and values that start with a dash
// (`--mean -0.5`), which strict mode would reject as ambiguous.

import { parseArgs, type ParseArgsConfig } from 'node:util';

import { Args, UsageError } from './args';
import type { CommandSpec, OptionSpec } from './table';

/** `--help`/`-h` is accepted by every command; main prints the command's help for it. */
export const HELP_OPTION = 'help';

/** Edit distance (insertions, deletions, substitutions, adjacent swaps). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The candidate closest to `word`, when it is close enough to be a likely typo (or a prefix). */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const dist = c.startsWith(word) && word.length >= 2 ? 0.5 : editDistance(word, c);
    if (dist < bestD) {
      best = c;
      bestD = dist;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

export function didYouMean(word: string, candidates: readonly string[], prefix = ''): string {
  const c = closest(word, candidates);
  return c === undefined ? '' : ` (did you mean ${prefix}${c}?)`;
}

export interface Parsed {
  args: Args;
  help: boolean;
}

/** Parses one command's arguments (everything after the command name). */
export function parseCommand(spec: CommandSpec, argv: readonly string[]): Parsed {
  const byName = new Map<string, OptionSpec>(spec.options.map((o) => [o.name, o]));
  const options: NonNullable<ParseArgsConfig['options']> = { [HELP_OPTION]: { type: 'boolean', short: 'h' } };
  for (const o of spec.options) options[o.name] = o.value === undefined ? { type: 'boolean', multiple: true } : { type: 'string', multiple: true };
  // strict: false so that tokens carry what a strict parse would throw on; each is checked below.
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  const positionals: string[] = [];
  let help = false;
  for (const t of tokens) {
    if (t.kind === 'positional') positionals.push(t.value);
    if (t.kind !== 'option') continue;
    if (t.name === HELP_OPTION) {
      help = true;
      continue;
    }
    const o = byName.get(t.name);
    if (!o) {
      const names = [...spec.options.map((x) => x.name), HELP_OPTION];
      throw new UsageError(`${spec.name}: unknown option ${t.rawName}${didYouMean(t.name.replace(/^-+/, ''), names, '--')}`);
    }
    if (o.value === undefined) {
      if (t.value !== undefined) throw new UsageError(`--${o.name} takes no value`);
      flags.add(o.name);
      continue;
    }
    if (t.value === undefined) throw new UsageError(`--${o.name} needs a value (${o.value})`);
    // `--mean --json` is a forgotten value, not the value '--json' (write --mean=--x to mean it).
    if (!t.inlineValue && t.value.startsWith('--')) throw new UsageError(`--${o.name} needs a value (${o.value}), got the option ${t.value}`);
    if (o.choices && !o.choices.includes(t.value)) {
      throw new UsageError(`--${o.name} must be one of ${o.choices.join(', ')}, got '${t.value}'${didYouMean(t.value, o.choices)}`);
    }
    values.set(o.name, [...(values.get(o.name) ?? []), t.value]);
  }
  return { args: new Args(spec, positionals, values, flags), help };
}
