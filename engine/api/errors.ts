// Errors that cross the service boundary (IPC, WebSocket, CLI) as plain {name, message, code}.

export type ErrorCode =
  | 'E_USAGE' // bad arguments to a method
  | 'E_IO' // a file could not be read or written
  | 'E_MODEL' // the model is invalid or unsupported
  | 'E_DATA' // input/calibration data is invalid
  | 'E_CANCELLED' // the job's AbortSignal fired
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

/** The wire form of any thrown value. */
export function toServiceError(e: unknown): ServiceError {
  if (e instanceof QwbError) return { name: e.name, message: e.message, code: e.code };
  if (e instanceof Error) {
    const code: ErrorCode = e.name === 'AbortError' ? 'E_CANCELLED' : 'E_MODEL';
    return { name: e.name, message: e.message, code };
  }
  return { name: 'Error', message: String(e), code: 'E_INTERNAL' };
}

/** Throws E_CANCELLED when the signal has fired (checked between batches of long jobs). */
export function throwIfAborted(signal: AbortSignal | undefined, job: string): void {
  if (signal?.aborted) throw new QwbError('E_CANCELLED', `${job}: cancelled`);
}
