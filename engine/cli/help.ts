// Help texts of qwb and the README's CLI section, both rendered from the option table (table.ts).

import { COMMANDS, EXIT_CODES, type CommandSpec, type OptionSpec } from './table';

const WIDTH = 100;
const OPTION_COLUMN = 30;

/** `--name VALUE` as usage and help show it. */
export function optionSyntax(o: OptionSpec): string {
  const value = o.choices ? o.choices.join('|') : o.value;
  return value === undefined ? `--${o.name}` : `--${o.name} ${value}`;
}

/** What the option does when absent, as the help's bracket says it. */
export function optionDefault(o: OptionSpec): string {
  if (o.required === true) return 'required';
  if (typeof o.required === 'string') return o.required;
  return `default: ${o.default ?? (o.value === undefined ? 'off' : '(none)')}`;
}

export function usageLine(c: CommandSpec): string {
  const required = c.options.filter((o) => o.required).map(optionSyntax);
  return ['qwb', c.name, c.positionals, ...required, '[options]'].filter(Boolean).join(' ');
}

function wrap(text: string, width: number, indent: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width - indent) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

export function commandHelp(c: CommandSpec): string {
  const out = [`usage: ${usageLine(c)}`, '', c.summary];
  for (const d of c.details ?? []) out.push(...wrap(d, WIDTH, 0));
  out.push('', 'options:');
  for (const o of [...c.options, { name: 'help', help: 'this help' } as OptionSpec]) {
    const head = `  ${optionSyntax(o)}${o.repeatable ? ' (repeatable)' : ''}`;
    const text = o.name === 'help' ? 'this help (also -h)' : `${o.help} [${optionDefault(o)}]`;
    const body = wrap(text, WIDTH, OPTION_COLUMN);
    if (head.length + 2 > OPTION_COLUMN) out.push(head, ...body.map((l) => ' '.repeat(OPTION_COLUMN) + l));
    else out.push(head.padEnd(OPTION_COLUMN) + body[0], ...body.slice(1).map((l) => ' '.repeat(OPTION_COLUMN) + l));
  }
  out.push('', 'example:', `  qwb ${c.example}`, '');
  return out.join('\n');
}

function exitCodeLines(): string[] {
  return EXIT_CODES.map((e) => `  ${String(e.code).padEnd(5)}${e.meaning}`);
}

export function mainHelp(version: string): string {
  return [
    `qwb ${version} — Quant Workbench command line: post-training INT8 quantization of ONNX models on x86 CPUs`,
    '',
    'usage: qwb COMMAND [ARGS] [options]',
    '       qwb COMMAND --help     every option of COMMAND, its default and an example',
    '       qwb --version',
    '       qwb --max-memory SIZE COMMAND ...   the memory budget every size limit derives from (default 8G;',
    '                                           also QWB_MAX_MEMORY): one tensor 1/8, a model\'s weights 1/2',
    '',
    'commands:',
    ...COMMANDS.flatMap((c) => [`  ${usageLine(c)}`, ...wrap(c.summary, WIDTH, 6).map((l) => `      ${l}`)]),
    '  qwb help [COMMAND]',
    "      this text; 'qwb help COMMAND' is 'qwb COMMAND --help'",
    '',
    'exit codes:',
    ...exitCodeLines(),
    '',
  ].join('\n');
}

// --- README ------------------------------------------------------------------------------------

export const README_BEGIN = '<!-- qwb-cli:begin (generated from engine/cli/table.ts by `node dist/tools/update-cli-readme.js`; do not edit) -->';
export const README_END = '<!-- qwb-cli:end -->';

const cell = (s: string) => s.replace(/\|/g, '\\|');

/** The README's CLI section (between the markers), in Markdown. */
export function readmeSection(): string {
  const out: string[] = [
    'Every command takes `--help` (every option, its default and an example); `qwb --version` prints the version.',
    'Unknown options are answered with the closest valid one.',
    '',
    '| exit code | meaning |',
    '|---|---|',
    ...EXIT_CODES.map((e) => `| ${e.code} | ${cell(e.meaning)} |`),
  ];
  for (const c of COMMANDS) {
    out.push('', `### qwb ${c.name}`, '', `\`${usageLine(c)}\`: ${c.summary}.${c.details ? ` ${c.details.join(' ')}` : ''}`, '', '| option | default | what |', '|---|---|---|');
    for (const o of c.options) {
      out.push(`| \`${cell(optionSyntax(o))}\`${o.repeatable ? ' (repeatable)' : ''} | ${cell(optionDefault(o).replace(/^default: /, ''))} | ${cell(o.help)} |`);
    }
    out.push('', '```sh', `npx qwb ${c.example}`, '```');
  }
  return out.join('\n');
}

/** `readme` with its CLI block replaced by `section`; throws when the markers are missing. */
export function replaceReadmeSection(readme: string, section: string): string {
  const a = readme.indexOf(README_BEGIN);
  const b = readme.indexOf(README_END);
  if (a < 0 || b < a) throw new Error(`README.md has no '${README_BEGIN}' ... '${README_END}' block`);
  return `${readme.slice(0, a + README_BEGIN.length)}\n${section}\n${readme.slice(b)}`;
}
