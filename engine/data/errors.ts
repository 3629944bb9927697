// Errors of the data layer: a stable `code` for the service contract ({name, message, code}) and a
// message that names the file, the value found and what was expected.

export type DataErrorCode =
  | 'DATA_MISSING' // file or folder does not exist
  | 'DATA_FORMAT' // wrong magic / not an image / unreadable header
  | 'DATA_DTYPE' // unsupported element type
  | 'DATA_SHAPE' // wrong rank, channel count, sizes, or not matching the model input
  | 'DATA_LABELS' // labels file disagreeing with the data
  | 'DATA_EMPTY' // no items
  | 'DATA_CORRUPT' // truncated or undecodable content
  | 'DATA_SPEC' // invalid preprocessing / sampling options
  | 'ABORT_ERR';

export class DataError extends Error {
  readonly code: DataErrorCode;
  constructor(code: DataErrorCode, message: string) {
    super(message);
    this.name = code === 'ABORT_ERR' ? 'AbortError' : 'DataError';
    this.code = code;
  }
}

export function abortError(source: string): DataError {
  return new DataError('ABORT_ERR', `data: reading ${source} was cancelled`);
}

export function throwIfAborted(signal: AbortSignal | undefined, source: string): void {
  if (signal?.aborted) throw abortError(source);
}

/** Maps a Node fs error on `file` to a DataError (ENOENT -> DATA_MISSING); anything else passes through. */
export function fsError(e: unknown, file: string, what = 'file'): Error {
  const err = e as NodeJS.ErrnoException;
  if (err && err.code === 'ENOENT') return new DataError('DATA_MISSING', `data: ${what} ${file} does not exist`);
  if (err && (err.code === 'EISDIR' || err.code === 'ENOTDIR')) {
    return new DataError('DATA_FORMAT', `data: ${file} is ${err.code === 'EISDIR' ? 'a folder' : 'not a folder'}; expected a ${what}`);
  }
  if (err instanceof DataError) return err;
  return new DataError('DATA_FORMAT', `data: cannot read ${file}: ${err?.message ?? String(e)}`);
}
