// The combined store's state: one key per slice. Each slice file exports its Shape and its
// create function; index.ts combines them.

import type { CalibrationShape } from './calibration-slice';
import type { CompareShape } from './compare-slice';
import type { EngineShape } from './engine-slice';
import type { ExportShape } from './export-slice';
import type { ModelShape } from './model-slice';
import type { RunShape } from './run-slice';
import type { UiShape } from './ui-slice';

export type AppState = ModelShape & CalibrationShape & RunShape & CompareShape & ExportShape & UiShape & EngineShape;

export type SetState = (partial: Partial<AppState> | ((s: AppState) => Partial<AppState>)) => void;
export type GetState = () => AppState;
export type Slice<T> = (set: SetState, get: GetState) => T;
