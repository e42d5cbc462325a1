import { render } from 'preact';
import { registerSW } from 'virtual:pwa-register';
import { installTelemetry } from './telemetry';
import { App } from './ui/App';
import './styles.css';

installTelemetry();

// registerType 'autoUpdate': a new service worker takes over and the page reloads with the new build.
// Offline writes live in IndexedDB (the outbox), so a reload loses at most a half-typed form.
registerSW({
  immediate: true,
  onOfflineReady() {
    window.dispatchEvent(new Event('gestiq:offline-ready'));
  },
});

render(<App />, document.getElementById('app')!);
