// The combined store: the slices spread into one vanilla zustand store (middleware, if any, goes
// here only). React binds to it in provider.tsx; tests use it as it is.

import { createStore, type StoreApi } from 'zustand/vanilla';

import { createCalibrationSlice } from './calibration-slice';
import { createCompareSlice } from './compare-slice';
import type { StoreDeps } from './deps';
import { createEngineSlice } from './engine-slice';
import { createExportSlice } from './export-slice';
import { createModelSlice } from './model-slice';
import { createRunSlice } from './run-slice';
import type { AppState } from './types';
import { createUiSlice } from './ui-slice';

export type AppStore = StoreApi<AppState>;

export function createAppStore(deps: StoreDeps): AppStore {
  return createStore<AppState>()((set, get) => ({
    ...createUiSlice(set, get),
    ...createModelSlice(deps)(set, get),
    ...createCalibrationSlice(deps)(set, get),
    ...createRunSlice(deps)(set, get),
    ...createCompareSlice(deps)(set, get),
    ...createExportSlice(deps)(set, get),
    ...createEngineSlice(deps)(set, get),
  }));
}

export type { AppState } from './types';
