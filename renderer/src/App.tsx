// The window: left rail, the current screen, the details panel; whole-window notices on top.

import { useEffect } from 'react';

import { DetailsPanel } from './components/DetailsPanel';
import { EngineNotice } from './components/EngineNotice';
import { Rail } from './components/Rail';
import { useApp } from './store/provider';
import { Calibrate } from './screens/Calibrate';
import { Compare } from './screens/Compare';
import { Export } from './screens/Export';
import { Home } from './screens/Home';
import { ModelScreen } from './screens/ModelScreen';

export function App() {
  const screen = useApp((s) => s.ui.screen);
  useEffect(() => {
    const main = document.getElementById('main');
    main?.scrollTo?.(0, 0);
  }, [screen]);
  return (
    <div className="shell" data-testid={`screen-${screen}`}>
      <Rail />
      <main id="main" className="content" aria-label={screen}>
        <EngineNotice />
        {screen === 'home' ? <Home /> : screen === 'model' ? <ModelScreen /> : screen === 'calibrate' ? <Calibrate /> : screen === 'compare' ? <Compare /> : <Export />}
        {screen !== 'home' ? (
          <div className="content-inner" style={{ marginTop: 'var(--space-5)' }}>
            <DetailsPanel inline />
          </div>
        ) : null}
      </main>
      <DetailsPanel />
    </div>
  );
}
