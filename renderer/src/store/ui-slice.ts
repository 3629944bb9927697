// Which screen is shown, and notices that concern the whole window (the engine process stopped).

import type { Slice } from './types';

export type Screen = 'home' | 'model' | 'calibrate' | 'compare' | 'export';

export interface UiShape {
  ui: {
    screen: Screen;
    notice?: string;
    go(screen: Screen): void;
    notify(message: string | undefined): void;
  };
}

export const createUiSlice: Slice<UiShape> = (set, get) => ({
  ui: {
    screen: 'home',
    go: (screen) => set({ ui: { ...get().ui, screen } }),
    notify: (notice) => set({ ui: { ...get().ui, notice } }),
  },
});
