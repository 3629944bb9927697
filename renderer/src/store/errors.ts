// Engine errors as the window shows them: what failed, the engine's message (which names the file,
// node or value), and what to do about it. Never a raw stack.

import { EngineError } from '../api/client';

export interface UiError {
  /** What the user was doing ('Opening the model', ...). */
  title: string;
  message: string;
  /** What to do next. */
  hint: string;
  code: string;
}

const HINTS: Record<string, string> = {
  E_IO: 'Check that the file exists, is readable, and that the folder can be written to.',
  E_MODEL: 'The model or one of its ops is not supported as it is; the message names the node.',
  E_DATA: 'Check the data path, its labels and the preprocessing (size, channels, mean/std).',
  E_USAGE: 'Check the options on this screen; the message says which one is wrong.',
  E_CANCELLED: 'The job was cancelled; nothing was written.',
  E_EXISTS: 'Replace those files, or choose another folder.',
  E_LIMIT: 'The model or data is larger than the workbench allows; the message names the size and the limit.',
  E_ENGINE: 'Run the step again: a new engine process starts by itself.',
  E_PROTOCOL: 'The window and the engine disagree about a message: reload the window.',
  E_INTERNAL: 'This is a bug in Quant Workbench; the message says where it happened.',
};

export function toUiError(title: string, e: unknown): UiError {
  if (e instanceof EngineError) return { title, message: e.message, hint: HINTS[e.code] ?? HINTS.E_INTERNAL, code: e.code };
  const message = e instanceof Error ? e.message : String(e);
  return { title, message, hint: HINTS.E_INTERNAL, code: 'E_INTERNAL' };
}
