// A small schema language for what crosses a process boundary (the engine protocol's params, the
// Electron IPC's arguments): each schema checks one JSON-like value and, typed, infers the TypeScript
// type it accepts, so method-schemas.ts can prove at compile time that a schema and the contract's
// request type are the same. Objects are closed: a field the schema does not name is refused.
// A check returns the first problem as one sentence naming the field ("params.calibCount must be
// an integer, got "12""), or undefined.

export interface Schema<T> {
  /** What it accepts, for messages ("an integer", "one of 'so', 'qdq'"). */
  readonly describe: string;
  check(value: unknown, at: string): string | undefined;
  /** Type carrier only (never set). */
  readonly _type?: T;
  /** An object field that may be absent (or undefined). */
  readonly optional?: boolean;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

/** A short, bounded rendering of a refused value. */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}...` : v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  return String(v);
}

const leaf = <T>(describe: string, ok: (v: unknown) => boolean): Schema<T> => ({
  describe,
  check: (v, at) => (ok(v) ? undefined : `${at} must be ${describe}, got ${show(v)}`),
});

/** Strings: no NUL character (nothing the engine is given as a name or a path needs one). */
export const str = (): Schema<string> => leaf('a string without NUL characters', (v) => typeof v === 'string' && !v.includes('\0'));
/** A finite number. */
export const num = (): Schema<number> => leaf('a finite number', (v) => typeof v === 'number' && Number.isFinite(v));
/** A safe integer. */
export const int = (): Schema<number> => leaf('an integer', (v) => typeof v === 'number' && Number.isSafeInteger(v));
/** A number the engine produced: JSON carries its NaN and infinities as null. */
export const resultNum = (): Schema<number> => leaf('a number (or null for NaN)', (v) => typeof v === 'number' || v === null);
export const bool = (): Schema<boolean> => leaf('true or false', (v) => typeof v === 'boolean');

export function oneOf<const L extends readonly (string | number)[]>(...values: L): Schema<L[number]> {
  return leaf(`one of ${values.map((x) => JSON.stringify(x)).join(', ')}`, (v) => values.includes(v as L[number]));
}

export function arrayOf<T>(item: Schema<T>, maxItems = 1_000_000): Schema<T[]> {
  return {
    describe: `an array of ${item.describe}`,
    check(v, at) {
      if (!Array.isArray(v)) return `${at} must be an array, got ${show(v)}`;
      if (v.length > maxItems) return `${at} has ${v.length} items; at most ${maxItems}`;
      for (let i = 0; i < v.length; i++) {
        const e = item.check(v[i], `${at}[${i}]`);
        if (e) return e;
      }
      return undefined;
    },
  };
}

export function tuple<A, B>(a: Schema<A>, b: Schema<B>): Schema<[A, B]> {
  return {
    describe: `[${a.describe}, ${b.describe}]`,
    check(v, at) {
      if (!Array.isArray(v) || v.length !== 2) return `${at} must be a pair [${a.describe}, ${b.describe}], got ${show(v)}`;
      return a.check(v[0], `${at}[0]`) ?? b.check(v[1], `${at}[1]`);
    },
  };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A map with string keys (tensor names -> paths, input names -> dims). */
export function recordOf<T>(value: Schema<T>): Schema<Record<string, T>> {
  return {
    describe: `an object of ${value.describe}`,
    check(v, at) {
      if (!isPlainObject(v)) return `${at} must be an object, got ${show(v)}`;
      for (const [k, x] of Object.entries(v)) {
        const e = value.check(x, `${at}[${JSON.stringify(k)}]`);
        if (e) return e;
      }
      return undefined;
    },
  };
}

export function anyOf<A, B>(a: Schema<A>, b: Schema<B>): Schema<A | B> {
  return {
    describe: `${a.describe} or ${b.describe}`,
    check: (v, at) => (a.check(v, at) === undefined || b.check(v, at) === undefined ? undefined : `${at} must be ${a.describe} or ${b.describe}, got ${show(v)}`),
  };
}

/** Marks an object field as optional (absent or undefined). */
export function opt<T>(s: Schema<T>): Schema<T> & { optional: true } {
  return { ...s, optional: true };
}

/** A value that may also be absent (a method whose params are optional). */
export function orAbsent<T>(s: Schema<T>): Schema<T | undefined> {
  return { describe: `${s.describe} or nothing`, check: (v, at) => (v === undefined ? undefined : s.check(v, at)) };
}

type Fields = Record<string, Schema<unknown>>;
type OptionalKeys<F extends Fields> = { [K in keyof F]: F[K] extends { optional: true } ? K : never }[keyof F];
type RequiredKeys<F extends Fields> = Exclude<keyof F, OptionalKeys<F>>;
type Flatten<T> = { [K in keyof T]: T[K] };
export type ObjectOf<F extends Fields> = Flatten<{ [K in RequiredKeys<F>]: Infer<F[K]> } & { [K in OptionalKeys<F>]?: Infer<F[K]> }>;

/** A closed object: every field named, required unless opt(), nothing else. */
export function obj<F extends Fields>(fields: F): Schema<ObjectOf<F>> {
  const names = Object.keys(fields);
  return {
    describe: 'an object',
    check(v, at) {
      if (!isPlainObject(v)) return `${at} must be an object, got ${show(v)}`;
      for (const k of Object.keys(v)) {
        if (!Object.prototype.hasOwnProperty.call(fields, k)) {
          return `${at}.${k} is an unknown field (${names.length ? `the fields are ${names.join(', ')}` : 'there are none'})`;
        }
      }
      for (const k of names) {
        const f = fields[k];
        const x = v[k];
        if (x === undefined) {
          if (f.optional) continue;
          return `${at}.${k} is required (${f.describe})`;
        }
        const e = f.check(x, `${at}.${k}`);
        if (e) return e;
      }
      return undefined;
    },
  };
}

/** No arguments at all: absent, or an empty object (a client may send {}). */
export const none = (): Schema<undefined> => ({
  describe: 'nothing',
  check(v, at) {
    if (v === undefined) return undefined;
    if (isPlainObject(v) && Object.keys(v).every((k) => v[k] === undefined)) return undefined;
    return `${at} must be empty: this method takes no parameters, got ${isPlainObject(v) ? `fields ${Object.keys(v).join(', ')}` : show(v)}`;
  },
});

/** Compile-time identity of two types: the same fields, each as optional and of the same type
 *  (mutual assignability alone would let a schema miss an optional field of the contract). */
export type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
