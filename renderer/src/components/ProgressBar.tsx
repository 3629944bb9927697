import { formatCount, formatSeconds } from '../store/selectors';

export interface ProgressProps {
  label: string;
  stage?: string;
  done?: number;
  total?: number;
  etaSeconds?: number;
  unit?: string;
}

/** A progressbar with its stage, counts and ETA; indeterminate until counts arrive. */
export function ProgressBar({ label, stage, done, total, etaSeconds, unit = 'samples' }: ProgressProps) {
  const counted = done !== undefined && total !== undefined && total > 0;
  const pct = counted ? Math.min(100, (done / total) * 100) : undefined;
  return (
    <div className="stack" style={{ gap: 'var(--space-2)' }}>
      <div className="spread small">
        <span>
          <strong>{stage ?? 'starting'}</strong>
          {counted ? (
            <span className="muted">
              {' '}
              · {formatCount(done)} / {formatCount(total)} {unit}
            </span>
          ) : null}
        </span>
        {etaSeconds !== undefined ? <span className="muted">about {formatSeconds(etaSeconds)} left</span> : null}
      </div>
      <div
        className={`progress${counted ? '' : ' indeterminate'}`}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct === undefined ? undefined : Math.round(pct)}
        aria-valuetext={counted ? `${stage ?? ''}: ${done} of ${total} ${unit}` : (stage ?? 'starting')}
      >
        <div style={{ width: `${pct ?? 30}%` }} />
      </div>
    </div>
  );
}
