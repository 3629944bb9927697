// The calibrator contract (ONNX Runtime's calibrate.py in three phases): the planner augments the
// graph so the tensors to calibrate become outputs, runs batches and hands each batch's values to
// collect(), then compute() turns everything seen into one range per tensor.

import type { CalibrationMethod } from '../config';
import type { TensorRange } from '../params';

export type { TensorRange };

/** One batch: tensor name -> its values (any layout; calibration only looks at the values). */
export type ActivationBatch = ReadonlyMap<string, ArrayLike<number>>;

export interface Calibrator {
  readonly method: CalibrationMethod;
  /** Feeds one batch; may be called any number of times. */
  collect(batch: ActivationBatch): void;
  /** The calibrated [min, max] per tensor. Ranges are always within the observed [min, max]. */
  compute(): Map<string, TensorRange>;
}

/** Thrown for calibration problems a user can fix (bad thresholds file, no data for a tensor). */
export class CalibrationError extends Error {
  readonly code = 'CALIBRATION';
  constructor(message: string) {
    super(message);
    this.name = 'CalibrationError';
  }
}
