/**
 * Client telemetry: uncaught errors, unhandled promise rejections and slow interactions (> 1 s) are
 * posted to `POST /api/v1/telemetry/client` as `{kind, message, request_id?, path, user_agent}`.
 *
 * - No personal data: messages are scrubbed (e-mails, long digit runs such as phones or tax ids, tokens,
 *   query strings), paths lose ids, query and hash; no user or tenant id is sent (the cookie session, if
 *   any, lets the server attribute the report without the client putting it in the body).
 * - At most 10 reports per rolling minute per page; the rest are dropped.
 * - `navigator.sendBeacon` when available (survives page unload), else `fetch(..., {keepalive: true})`.
 *   A beacon cannot carry X-CSRF-TOKEN, so the backend must exempt this endpoint from CSRF (it changes
 *   no user data and is rate-limited on the server too).
 * - Offline network failures are expected and are not reported.
 */
import { ApiError, NetworkError, getLastRequestId } from './api/http';

export const TELEMETRY_URL = '/api/v1/telemetry/client';
export const MAX_REPORTS_PER_MINUTE = 10;
export const SLOW_INTERACTION_MS = 1000;
const MAX_MESSAGE_LENGTH = 500;

export type TelemetryKind = 'error' | 'unhandledrejection' | 'slow-interaction';

export interface TelemetryReport {
  kind: TelemetryKind;
  message: string;
  request_id?: string;
  path: string;
  user_agent: string;
}

/** Remove anything that could identify a person from a free-text message. */
export function scrubMessage(message: string): string {
  return message
    .replace(/\b(https?:\/\/[^\s?#]+)[?#]\S*/gi, '$1') // query strings and fragments (tokens live there)
    .replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, '<email>')
    .replace(/\b(?:eyJ[\w-]+\.[\w-]+\.[\w-]+|[A-Za-z0-9_-]{32,})\b/g, '<token>')
    .replace(/\+?\d[\d\s.-]{5,}\d/g, '<number>')
    .slice(0, MAX_MESSAGE_LENGTH);
}

/** Reduce a location to its route shape: no query, no hash, ids replaced by ":id". */
export function sanitizePath(pathname: string): string {
  return pathname
    .split(/[?#]/)[0]
    .split('/')
    .map((segment) =>
      /^(tmp-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(segment) ||
      /\d{2,}/.test(segment) ||
      segment.length > 40
        ? ':id'
        : segment,
    )
    .join('/');
}

export interface TelemetryDeps {
  /** Deliver one report; default: sendBeacon, else fetch keepalive. */
  deliver: (report: TelemetryReport) => void;
  now: () => number;
  path: () => string;
  userAgent: () => string;
}

let telemetryUrl = TELEMETRY_URL;

/** Send reports to another API origin (when the API is not served from the app's origin). */
export function setTelemetryBaseUrl(baseUrl: string): void {
  telemetryUrl = baseUrl + TELEMETRY_URL;
}

function defaultDeliver(report: TelemetryReport): void {
  const body = JSON.stringify(report);
  try {
    if (typeof navigator !== 'undefined' && typeof navigator.sendBeacon === 'function') {
      if (navigator.sendBeacon(telemetryUrl, new Blob([body], { type: 'application/json' }))) return;
    }
    void fetch(telemetryUrl, {
      method: 'POST',
      body,
      keepalive: true,
      credentials: 'include',
      headers: { 'Content-Type': 'application/json' },
    }).catch(() => undefined);
  } catch {
    // Telemetry must never become an error of its own.
  }
}

const browserDeps: TelemetryDeps = {
  deliver: defaultDeliver,
  now: () => Date.now(),
  path: () => (typeof location === 'undefined' ? '/' : location.pathname),
  userAgent: () => (typeof navigator === 'undefined' ? '' : navigator.userAgent),
};

/** A rate-limited reporter. */
export function createReporter(overrides: Partial<TelemetryDeps> = {}) {
  const deps = { ...browserDeps, ...overrides };
  const sentAt: number[] = [];

  /** Queue a report; returns false when the rate limit dropped it. */
  return function report(kind: TelemetryKind, message: string, requestId?: string): boolean {
    const now = deps.now();
    while (sentAt.length && now - sentAt[0] >= 60_000) sentAt.shift();
    if (sentAt.length >= MAX_REPORTS_PER_MINUTE) return false;
    sentAt.push(now);
    const payload: TelemetryReport = {
      kind,
      message: scrubMessage(message),
      path: sanitizePath(deps.path()),
      user_agent: deps.userAgent(),
    };
    if (requestId) payload.request_id = requestId;
    deps.deliver(payload);
    return true;
  };
}

function describeError(error: unknown): { message: string; requestId?: string } | null {
  if (error instanceof NetworkError) return null; // being offline is not a bug
  if (error instanceof ApiError) {
    return { message: `ApiError ${error.status}: ${error.title}`, requestId: error.requestId };
  }
  if (error instanceof Error) return { message: `${error.name}: ${error.message}` };
  return { message: `Non-error rejection: ${typeof error}` };
}

function basename(file: string): string {
  return file.split(/[?#]/)[0].split('/').pop() ?? '';
}

function describeTarget(target: EventTarget | null | undefined): string {
  if (!target || !(target as Element).tagName) return 'unknown';
  const element = target as Element;
  const role = element.getAttribute?.('role');
  return element.tagName.toLowerCase() + (role ? `[role=${role}]` : '');
}

export interface InstallOptions extends Partial<TelemetryDeps> {
  target?: EventTarget;
  /** Run a callback after the next paint (fallback slow-interaction timing). */
  afterNextPaint?: (callback: () => void) => void;
  /** Monotonic clock for interaction timing. */
  clock?: () => number;
  /** Use the Event Timing API when available (default true). */
  useEventTiming?: boolean;
}

/** Listen for errors, rejections and slow interactions; returns a function that stops listening. */
export function installTelemetry(options: InstallOptions = {}): () => void {
  const target = options.target ?? window;
  const report = createReporter(options);
  const clock = options.clock ?? (() => performance.now());
  const afterNextPaint =
    options.afterNextPaint ?? ((callback: () => void) => requestAnimationFrame(() => setTimeout(callback, 0)));
  const cleanups: Array<() => void> = [];

  const onError = (event: Event) => {
    const error = event as ErrorEvent;
    const described = describeError(error.error);
    if (error.error !== undefined && described === null) return;
    const where = error.filename ? ` (${basename(error.filename)}:${error.lineno}:${error.colno})` : '';
    report('error', (described?.message ?? error.message ?? 'Unknown error') + where, described?.requestId ?? getLastRequestId());
  };
  const onRejection = (event: Event) => {
    const described = describeError((event as PromiseRejectionEvent).reason);
    if (described) report('unhandledrejection', described.message, described.requestId);
  };
  target.addEventListener('error', onError);
  target.addEventListener('unhandledrejection', onRejection);
  cleanups.push(() => {
    target.removeEventListener('error', onError);
    target.removeEventListener('unhandledrejection', onRejection);
  });

  const supportsEventTiming =
    options.useEventTiming !== false &&
    typeof PerformanceObserver !== 'undefined' &&
    PerformanceObserver.supportedEntryTypes?.includes('event');

  if (supportsEventTiming) {
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as PerformanceEventTiming[]) {
        if (entry.duration > SLOW_INTERACTION_MS) {
          report('slow-interaction', `${entry.name} ${Math.round(entry.duration)} ms on ${describeTarget(entry.target)}`);
        }
      }
    });
    observer.observe({ type: 'event', buffered: false, durationThreshold: SLOW_INTERACTION_MS } as PerformanceObserverInit);
    cleanups.push(() => observer.disconnect());
  } else {
    // Fallback: from the start of dispatch (capture phase, before the app's handlers) to the next paint.
    const onInteraction = (event: Event) => {
      const started = clock();
      afterNextPaint(() => {
        const duration = clock() - started;
        if (duration > SLOW_INTERACTION_MS) {
          report('slow-interaction', `${event.type} ${Math.round(duration)} ms on ${describeTarget(event.target)}`);
        }
      });
    };
    for (const type of ['click', 'keydown']) target.addEventListener(type, onInteraction, { capture: true });
    cleanups.push(() => {
      for (const type of ['click', 'keydown']) target.removeEventListener(type, onInteraction, { capture: true });
    });
  }

  return () => cleanups.forEach((cleanup) => cleanup());
}
