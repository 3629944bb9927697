// Size limits, in one place. A model or data file is untrusted input: a 268-byte model can ask for
// a 2.4 GB Range, a header can claim 3e9 items. Every allocation a file can drive is checked here
// against a budget before it happens, and refused with a LimitError that names what and how much.
//
// One knob, the memory budget (QWB_MAX_MEMORY, or `qwb --max-memory SIZE`; default 8 GiB), sets
// all of them: a single tensor may take 1/8 of it, a model's weights 1/2, constant folding 1/64.

export interface Limits {
  /** The budget the others derive from, in bytes. */
  memoryBytes: number;
  /** Largest single tensor: an initializer, a model input, an activation of the compiled plan. */
  tensorBytes: number;
  /** All initializers of a model together. */
  weightBytes: number;
  /** A tensor computed at load time by constant folding (every dtype). */
  foldBytes: number;
  /** Nodes in a graph. */
  nodes: number;
  /** Items in one batch of a run or an evaluation. */
  batchItems: number;
}

export const DEFAULT_MEMORY_BYTES = 8 * 1024 ** 3;

/** The limits that follow from a memory budget. */
export function limitsFor(memoryBytes: number): Limits {
  return {
    memoryBytes,
    tensorBytes: Math.floor(memoryBytes / 8),
    weightBytes: Math.floor(memoryBytes / 2),
    foldBytes: Math.floor(memoryBytes / 64),
    nodes: 1_000_000,
    batchItems: 65_536,
  };
}

/** "8G", "512M", "1.5GiB", "1073741824" -> bytes; undefined when it is not a size. */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  const n = Math.floor(Number(m[1]) * unit);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

let current: Limits | undefined;

/** The limits in force: set by setMemoryBudget, else from QWB_MAX_MEMORY, else the default. */
export function limits(): Limits {
  if (!current) {
    const env = process.env.QWB_MAX_MEMORY;
    const bytes = env === undefined ? DEFAULT_MEMORY_BYTES : parseSize(env);
    if (bytes === undefined) throw new Error(`QWB_MAX_MEMORY='${env}' is not a size (e.g. 8G, 512M)`);
    current = limitsFor(bytes);
  }
  return current;
}

export function setMemoryBudget(bytes: number): void {
  current = limitsFor(bytes);
}

/** A size limit would be exceeded; `code` lets the service classify it (E_LIMIT). */
export class LimitError extends Error {
  readonly code = 'LIMIT';
  constructor(message: string) {
    super(message);
    this.name = 'LimitError';
  }
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(2)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

/** Throws a LimitError when `bytes` (what `what` needs) is above `limit` (a Limits field). */
export function checkBytes(what: string, bytes: number, limit: 'tensorBytes' | 'weightBytes' | 'foldBytes'): void {
  const l = limits();
  if (!(bytes <= l[limit])) {
    throw new LimitError(
      `${what} needs ${Number.isFinite(bytes) ? formatBytes(bytes) : 'an unbounded amount of memory'}, above the limit of ${formatBytes(l[limit])} ` +
        `(${describe(limit)}; raise the memory budget with --max-memory or QWB_MAX_MEMORY, now ${formatBytes(l.memoryBytes)})`,
    );
  }
}

function describe(limit: 'tensorBytes' | 'weightBytes' | 'foldBytes'): string {
  return { tensorBytes: 'one tensor: 1/8 of the budget', weightBytes: "a model's weights: 1/2 of the budget", foldBytes: 'a constant-folded tensor: 1/64 of the budget' }[limit];
}

/** Elements of `dims`, or Infinity when a dim is not a non-negative safe integer or the product
 *  leaves the safe range (so every check against it fails). */
export function elementsOf(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) return Infinity;
    n *= d;
    if (!Number.isSafeInteger(n)) return Infinity;
  }
  return n;
}
