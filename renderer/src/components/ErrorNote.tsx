import type { UiError } from '../store/errors';

/** An engine error in place: what failed, the engine's message, what to do. */
export function ErrorNote({ error }: { error: UiError | undefined }) {
  if (!error) return null;
  return (
    <div className="note error" role="alert">
      <strong>{error.title} failed</strong>
      <span className="msg">{error.message}</span>
      <span className="muted small">{error.hint}</span>
    </div>
  );
}
