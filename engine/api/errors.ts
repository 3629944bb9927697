// Errors that cross the service boundary (IPC, WebSocket, CLI) as plain {name, message, code}.

export type ErrorCode =
  | 'E_USAGE' // bad arguments to a method
  | 'E_IO' // a file could not be read or written
  | 'E_MODEL' // the model is invalid or unsupported
  | 'E_DATA' // input/calibration data is invalid
  | 'E_CANCELLED' // the job's AbortSignal fired
  | 'E_EXISTS' // an output would replace files that are not this job's to replace (retry with force)
  | 'E_LIMIT' // a size limit (engine/limits.ts) would be exceeded
  | 'E_INTERNAL'; // anything else (a bug)

export interface ServiceError {
  name: string;
  message: string;
  code: ErrorCode;
}

export class QwbError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'QwbError';
  }
}

/** The engine's one error classifier: the code a thrown value crosses the service boundary with.
 *  Cancellations (AbortError, the data layer's ABORT_ERR) -> E_CANCELLED; the data layer's
 *  DataErrors (DATA_*) and calibration errors -> E_DATA; anything else -> `fallback`. */
export function errorCode(e: unknown, fallback: ErrorCode): ErrorCode {
  if (e instanceof QwbError) return e.code;
  if (!(e instanceof Error)) return 'E_INTERNAL';
  const code = (e as Error & { code?: unknown }).code;
  if (e.name === 'AbortError' || code === 'ABORT_ERR') return 'E_CANCELLED';
  if (code === 'LIMIT') return 'E_LIMIT';
  if (typeof code === 'string' && (code.startsWith('DATA_') || code === 'CALIBRATION')) return 'E_DATA';
  return fallback;
}

/** Any thrown value as a QwbError (QwbErrors pass unchanged), classified by errorCode. */
export function toQwbError(e: unknown, fallback: ErrorCode): QwbError {
  if (e instanceof QwbError) return e;
  return new QwbError(errorCode(e, fallback), e instanceof Error ? e.message : String(e));
}

/** The wire form of any thrown value. */
export function toServiceError(e: unknown): ServiceError {
  const code = errorCode(e, 'E_MODEL');
  if (e instanceof Error) return { name: e.name, message: e.message, code };
  return { name: 'Error', message: String(e), code };
}

/** Throws E_CANCELLED when the signal has fired (checked between batches of long jobs). */
export function throwIfAborted(signal: AbortSignal | undefined, job: string): void {
  if (signal?.aborted) throw new QwbError('E_CANCELLED', `${job}: cancelled`);
}
