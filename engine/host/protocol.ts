// The engine message protocol's checks, shared by the engine process and the shells that relay to
// it (web host, Electron main): both ends refuse anything that is not a well-formed request for a
// method of the contract's SERVICE_METHODS whose params fit that method's schema
// (method-schemas.ts), or a cancel.

import { SERVICE_METHODS, type ServiceMethod, type WireError, type WireErrorCode } from '../api/contract';
import { toServiceError } from '../api/errors';
import { checkParams } from './method-schemas';

const METHODS: ReadonlySet<string> = new Set(SERVICE_METHODS);

export function isServiceMethod(name: unknown): name is ServiceMethod {
  return typeof name === 'string' && METHODS.has(name);
}

export type CheckedMessage =
  | { kind: 'request'; id: number; method: ServiceMethod; params: unknown }
  | { kind: 'cancel'; id: number }
  /** id is set when the message carried a usable one, so the refusal can be addressed to it. */
  | { kind: 'invalid'; id?: number; error: WireError };

const validId = (id: unknown): id is number => typeof id === 'number' && Number.isSafeInteger(id) && id >= 0;

export function protocolError(message: string): WireError {
  return { code: 'E_PROTOCOL', name: 'ProtocolError', message };
}

/** Classifies one message sent towards the engine. */
export function checkToEngine(msg: unknown): CheckedMessage {
  if (!msg || typeof msg !== 'object' || Array.isArray(msg)) return { kind: 'invalid', error: protocolError('a message must be an object {id, method, params} or {id, cancel}') };
  const m = msg as Record<string, unknown>;
  if (!validId(m.id)) return { kind: 'invalid', error: protocolError(`message id must be a non-negative integer, got ${JSON.stringify(m.id)}`) };
  if (m.cancel === true && m.method === undefined) return { kind: 'cancel', id: m.id };
  if (!isServiceMethod(m.method)) {
    return { kind: 'invalid', id: m.id, error: protocolError(`unknown method ${JSON.stringify(m.method)}; methods: ${SERVICE_METHODS.join(', ')}`) };
  }
  for (const k of Object.keys(m)) {
    if (k !== 'id' && k !== 'method' && k !== 'params') return { kind: 'invalid', id: m.id, error: protocolError(`${m.method}: a request has only id, method and params, not '${k}'`) };
  }
  if (m.params !== undefined && (m.params === null || typeof m.params !== 'object' || Array.isArray(m.params))) {
    return { kind: 'invalid', id: m.id, error: protocolError(`${m.method}: params must be an object`) };
  }
  const problem = checkParams(m.method, m.params);
  if (problem) return { kind: 'invalid', id: m.id, error: protocolError(`${m.method}: ${problem}`) };
  return { kind: 'request', id: m.id, method: m.method, params: m.params };
}

/** Any thrown value as a plain, cloneable error object (never an Error: those do not cross). */
export function wireError(e: unknown): WireError {
  const s = toServiceError(e);
  return { code: s.code as WireErrorCode, name: s.name, message: s.message };
}
