import { render } from 'preact';
import { registerSW } from 'virtual:pwa-register';
import { configureHttp } from './api/http';
import { installTelemetry, setTelemetryBaseUrl } from './telemetry';
import { App } from './ui/App';
import './styles.css';

// Same origin by default (Flask serves /app/ and /api/v1); VITE_API_BASE points a build at another origin.
const apiBase = import.meta.env.VITE_API_BASE ?? '';
configureHttp({ baseUrl: apiBase });
setTelemetryBaseUrl(apiBase);
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
