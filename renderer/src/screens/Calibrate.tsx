// The calibration wizard: one step at a time with Back/Next.

import { CALIBRATION_STEPS, type CalibrationStep } from '../store/calibration-slice';
import { useApp } from '../store/provider';
import { DataStep } from './DataStep';
import { ModeStep } from './ModeStep';
import { PreprocessStep } from './PreprocessStep';
import { RunStep } from './RunStep';

const TITLES: Record<CalibrationStep, { title: string; sub: string }> = {
  data: { title: 'Calibration data', sub: 'The images whose activations set the INT8 ranges.' },
  preprocess: { title: 'Preprocessing', sub: 'How each item becomes the model’s input tensor.' },
  mode: { title: 'Quantization mode', sub: 'How ranges are chosen, and what stays in FP32.' },
  run: { title: 'Run', sub: 'Calibrate, quantize and write the INT8 (QDQ) model.' },
};

export function Calibrate() {
  const step = useApp((s) => s.calibration.step);
  const setStep = useApp((s) => s.calibration.setStep);
  const next = useApp((s) => s.calibration.next);
  const back = useApp((s) => s.calibration.back);
  const hasData = useApp((s) => !!s.calibration.data || s.calibration.mode.method === 'custom');
  const running = useApp((s) => s.run.status === 'running' || s.run.status === 'cancelling');
  const name = useApp((s) => s.model.ref?.name);
  const i = CALIBRATION_STEPS.indexOf(step);
  return (
    <div className="content-inner">
      <header className="page-head">
        <div>
          <span className="eyebrow">
            Calibrate {name} · step {i + 1} of {CALIBRATION_STEPS.length}
          </span>
          <h1>{TITLES[step].title}</h1>
          <p>{TITLES[step].sub}</p>
        </div>
      </header>
      <ol className="stepper" aria-label="Wizard steps">
        {CALIBRATION_STEPS.map((s, k) => (
          <li key={s} aria-current={s === step ? 'step' : undefined}>
            <span className={`rail-num${k < i ? ' done' : ''}`} aria-hidden="true">
              {k < i ? '✓' : k + 1}
            </span>
            <button type="button" className="btn ghost" style={{ height: 22, padding: 0 }} onClick={() => setStep(s)} disabled={running} aria-label={`Go to step ${k + 1}: ${TITLES[s].title}`}>
              {TITLES[s].title}
            </button>
          </li>
        ))}
      </ol>
      {step === 'data' ? <DataStep /> : step === 'preprocess' ? <PreprocessStep /> : step === 'mode' ? <ModeStep /> : <RunStep />}
      <nav className="wizard-nav" aria-label="Wizard">
        <button type="button" className="btn" onClick={back} disabled={i === 0 || running}>
          ← Back
        </button>
        {i < CALIBRATION_STEPS.length - 1 ? (
          <button type="button" className="btn primary" onClick={next} disabled={(step === 'data' && !hasData) || running}>
            Next →
          </button>
        ) : null}
      </nav>
    </div>
  );
}
