// Which screen is shown. (Notices about the engine process are the engine slice's.)

import type { Slice } from './types';

export type Screen = 'home' | 'model' | 'calibrate' | 'compare' | 'export';

export interface UiShape {
  ui: {
    screen: Screen;
    go(screen: Screen): void;
  };
}

export const createUiSlice: Slice<UiShape> = (set, get) => ({
  ui: {
    screen: 'home',
    go: (screen) => set({ ui: { ...get().ui, screen } }),
  },
});
