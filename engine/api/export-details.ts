// What the window shows after an export: every file with its size, and for a .so the part of the
// generated example.c a user copies (create, run, destroy), so the snippet is always the real one.

import * as fs from 'node:fs';
import * as path from 'node:path';

import type { ExportResult } from './contract';

/** The ABI calls of example.c in order: the handle, qwb_create, the dims, the first qwb_run and
 *  qwb_destroy, each with its error handling; "..." where example.c does other work. */
export function usageSnippet(exampleC: string): string | undefined {
  const lines = exampleC.split('\n');
  const keep = new Set<number>();
  const block = (i: number) => {
    let depth = 0;
    for (let j = i; j < lines.length; j++) {
      keep.add(j);
      depth += (lines[j].match(/\{/g) ?? []).length - (lines[j].match(/\}/g) ?? []).length;
      if (depth <= 0 && /[;}]\s*$/.test(lines[j])) return;
    }
  };
  for (const re of [/qwb_model\s*\*\s*model\s*=/, /qwb_create\(/, /int64_t in_dims/, /int in_rank/, /qwb_input_dims\(/, /qwb_run\(/, /qwb_destroy\(/]) {
    const i = lines.findIndex((l) => re.test(l));
    if (i < 0) return undefined;
    block(i);
  }
  const idx = [...keep].sort((a, b) => a - b);
  const indent = Math.min(...idx.map((i) => lines[i]).filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
  const out = ['#include "qwb_model.h"', ''];
  idx.forEach((i, k) => {
    if (k > 0 && i !== idx[k - 1] + 1) out.push('/* ... */');
    out.push(lines[i].slice(indent));
  });
  return out.join('\n');
}

export function withDetails(r: ExportResult): ExportResult {
  const entries = r.files.map((f) => {
    let bytes = 0;
    try {
      bytes = fs.statSync(f).size;
    } catch {
      // Listed but gone: shown as 0 bytes rather than failing an export that succeeded.
    }
    return { path: f, bytes };
  });
  const out: ExportResult = { ...r, entries };
  const example = r.files.find((f) => path.basename(f) === 'example.c');
  if (example) {
    try {
      out.usage = usageSnippet(fs.readFileSync(example, 'utf8'));
    } catch {
      // No snippet; the file list still shows example.c.
    }
  }
  return out;
}
