// The whole-window notice about the engine process: what happened to it, which jobs were lost with
// it, what the window did once a new one answered, and a Restart button (also for an engine that
// is still running but stuck).

import { useApp } from '../store/provider';

export function EngineNotice() {
  const notice = useApp((s) => s.engine.notice);
  const status = useApp((s) => s.engine.status);
  const restart = useApp((s) => s.engine.restart);
  const dismiss = useApp((s) => s.engine.dismiss);
  if (!notice) return null;
  const n = notice.lost.length;
  const lost = n ? `Lost: ${notice.lost.join(' and ')} that ${n > 1 ? 'were' : 'was'} running; run ${n > 1 ? 'them' : 'it'} again.` : 'No job was running.';
  return (
    <div className="content-inner" style={{ marginBottom: 'var(--space-4)' }}>
      <div className={status === 'running' ? 'note info' : 'note warn'} role="alert" aria-label="Engine process">
        <strong>{notice.title}</strong>
        <span className="msg">{notice.message}</span>
        <span className="msg">{status === 'restarting' ? 'Starting a new engine process…' : status === 'stopped' ? 'No engine process is running.' : notice.recovered ?? ''}</span>
        <span className="muted small">{lost}</span>
        <div className="row">
          <button type="button" className="btn" onClick={() => restart()} disabled={status === 'restarting'}>
            Restart the engine
          </button>
          <button type="button" className="btn" onClick={() => dismiss()}>
            Dismiss
          </button>
        </div>
      </div>
    </div>
  );
}
