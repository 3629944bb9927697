// The left rail: the steps of the flow, each enabled once what it needs exists.

import { useApp } from '../store/provider';
import type { Screen } from '../store/ui-slice';

interface Step {
  screen: Screen;
  label: string;
  sub: string;
}

const STEPS: Step[] = [
  { screen: 'home', label: 'Home', sub: 'Open a model' },
  { screen: 'model', label: 'Model', sub: 'Summary and layers' },
  { screen: 'calibrate', label: 'Calibrate', sub: 'Data, mode, run' },
  { screen: 'compare', label: 'Compare', sub: 'FP32 vs INT8' },
  { screen: 'export', label: 'Export', sub: '.so, QDQ, reports' },
];

export function Rail() {
  const screen = useApp((s) => s.ui.screen);
  const go = useApp((s) => s.ui.go);
  const modelReady = useApp((s) => s.model.status === 'ready');
  const int8 = useApp((s) => s.run.status === 'done');
  const compared = useApp((s) => s.compare.status === 'done');
  const version = useApp((s) => s.calibration.runtime?.onednn);
  const enabled: Record<Screen, boolean> = { home: true, model: modelReady, calibrate: modelReady, compare: int8, export: modelReady };
  const done: Record<Screen, boolean> = { home: modelReady, model: modelReady, calibrate: int8, compare: compared, export: false };
  return (
    <nav className="rail" aria-label="Steps">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">
          Q8
        </span>
        <span className="brand-name">Quant Workbench</span>
      </div>
      {STEPS.map((s, i) => (
        <button
          key={s.screen}
          type="button"
          className="rail-step"
          aria-current={screen === s.screen ? 'step' : undefined}
          disabled={!enabled[s.screen]}
          onClick={() => go(s.screen)}
          aria-label={`${i + 1}. ${s.label}`}
          title={s.label}
        >
          <span className={`rail-num${done[s.screen] && screen !== s.screen ? ' done' : ''}`} aria-hidden="true">
            {done[s.screen] && screen !== s.screen ? '✓' : i + 1}
          </span>
          <span className="rail-label">
            {s.label}
            <span className="rail-sub">{s.sub}</span>
          </span>
        </button>
      ))}
      <div className="rail-foot">{version ? `oneDNN ${version}` : 'INT8 on x86 CPUs'}</div>
    </nav>
  );
}
