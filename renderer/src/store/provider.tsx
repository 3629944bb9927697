// React's view of the store and the host: one provider at the root, and hooks that throw when it
// is missing. Components select single fields (narrow selectors) so they re-render only for them.

import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';

import type { AppHost } from '../api/host';
import type { AppState, AppStore } from './index';

const StoreContext = createContext<AppStore | null>(null);
const HostContext = createContext<AppHost | null>(null);

export function AppProvider({ store, host, children }: { store: AppStore; host: AppHost; children: ReactNode }) {
  return (
    <HostContext.Provider value={host}>
      <StoreContext.Provider value={store}>{children}</StoreContext.Provider>
    </HostContext.Provider>
  );
}

export function useApp<T>(selector: (s: AppState) => T): T {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useApp outside <AppProvider>');
  return useStore(store, selector);
}

export function useHost(): AppHost {
  const host = useContext(HostContext);
  if (!host) throw new Error('useHost outside <AppProvider>');
  return host;
}
