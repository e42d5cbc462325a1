import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, NetworkError } from '../src/api/http';
import {
  MAX_REPORTS_PER_MINUTE,
  TELEMETRY_URL,
  createReporter,
  installTelemetry,
  sanitizePath,
  scrubMessage,
  type TelemetryReport,
} from '../src/telemetry';

function capture(now: () => number = () => 0) {
  const sent: TelemetryReport[] = [];
  const deps = {
    deliver: (r: TelemetryReport) => sent.push(r),
    now,
    path: () => '/app/invoices/4f0c2a9e-1111-4222-8333-944445555666?token=secret#x',
    userAgent: () => 'TestAgent/1.0',
  };
  return { sent, deps };
}

describe('privacy', () => {
  it('scrubs e-mails, numbers, tokens and query strings from messages', () => {
    expect(
      scrubMessage(
        'Fallo para ana.perez@example.com tel +34 600 123 456 NIF 12345678Z ' +
          'en https://x.test/app/reset?token=abc#t jwt eyJhbGciOi.eyJzdWIiOjF9.c2lnbmF0dXJl',
      ),
    ).toBe('Fallo para <email> tel <number> NIF <number>Z en https://x.test/app/reset jwt <token>');
    expect(scrubMessage('palabra '.repeat(100)).length).toBe(500);
    expect(scrubMessage('a'.repeat(40))).toBe('<token>');
  });

  it('reduces paths to their route shape', () => {
    expect(sanitizePath('/app/invoices/4f0c2a9e-1111-4222-8333-944445555666?token=s#h')).toBe('/app/invoices/:id');
    expect(sanitizePath('/app/customers/12345/edit')).toBe('/app/customers/:id/edit');
    expect(sanitizePath('/app/')).toBe('/app/');
  });
});

describe('reporter', () => {
  it('sends kind, scrubbed message, request id, route and user agent only', () => {
    const { sent, deps } = capture();
    createReporter(deps)('error', 'TypeError: x is undefined for bob@example.com', 'req-7');
    expect(sent).toEqual([
      {
        kind: 'error',
        message: 'TypeError: x is undefined for <email>',
        request_id: 'req-7',
        path: '/app/invoices/:id',
        user_agent: 'TestAgent/1.0',
      },
    ]);
  });

  it('sends at most 10 reports per rolling minute', () => {
    let now = 1_000_000;
    const { sent, deps } = capture(() => now);
    const report = createReporter(deps);
    const accepted = Array.from({ length: 15 }, (_, i) => report('error', `e${i}`));
    expect(accepted.filter(Boolean)).toHaveLength(MAX_REPORTS_PER_MINUTE);
    expect(sent).toHaveLength(10);

    now += 59_999;
    expect(report('error', 'still limited')).toBe(false);
    now += 1;
    expect(report('error', 'window moved')).toBe(true);
    expect(sent).toHaveLength(11);
  });

  it('uses sendBeacon with a JSON blob when available, else fetch keepalive', async () => {
    const beacon = vi.fn((_url: string, _data?: BodyInit | null) => true);
    vi.stubGlobal('navigator', { sendBeacon: beacon, userAgent: 'UA' });
    vi.stubGlobal('location', { pathname: '/app/' });
    const report = createReporter({ now: () => 0 });
    report('error', 'boom');
    expect(beacon).toHaveBeenCalledTimes(1);
    const [url, blob] = beacon.mock.calls[0];
    expect(url).toBe(TELEMETRY_URL);
    expect((blob as Blob).type).toBe('application/json');
    expect(JSON.parse(await (blob as Blob).text())).toEqual({ kind: 'error', message: 'boom', path: '/app/', user_agent: 'UA' });

    const fetchStub = vi.fn(async () => new Response(null, { status: 204 }));
    vi.stubGlobal('navigator', { userAgent: 'UA' });
    vi.stubGlobal('fetch', fetchStub);
    createReporter({ now: () => 0 })('error', 'boom');
    expect(fetchStub).toHaveBeenCalledWith(TELEMETRY_URL, expect.objectContaining({ method: 'POST', keepalive: true }));
  });
});

describe('installTelemetry', () => {
  let uninstall: (() => void) | undefined;
  afterEach(() => uninstall?.());

  function install(extra: Parameters<typeof installTelemetry>[0] = {}) {
    const target = new EventTarget();
    const { sent, deps } = capture();
    uninstall = installTelemetry({ ...deps, target, useEventTiming: false, ...extra });
    return { target, sent };
  }

  function errorEvent(init: { message: string; error?: unknown; filename?: string; lineno?: number; colno?: number }) {
    return Object.assign(new Event('error'), init);
  }

  function rejection(reason: unknown) {
    return Object.assign(new Event('unhandledrejection'), { reason });
  }

  it('reports window errors with a file basename and no query', () => {
    const { target, sent } = install();
    target.dispatchEvent(
      errorEvent({
        message: 'Uncaught TypeError: boom',
        error: new TypeError('boom'),
        filename: 'https://x.test/app/assets/index-abc.js?v=1',
        lineno: 3,
        colno: 14,
      }),
    );
    expect(sent.map((r) => [r.kind, r.message])).toEqual([['error', 'TypeError: boom (index-abc.js:3:14)']]);
  });

  it('reports unhandled rejections with the API request id and ignores network failures', () => {
    const { target, sent } = install();
    target.dispatchEvent(rejection(new ApiError({ type: 'about:blank', title: 'Error interno', status: 500, request_id: 'srv-1' })));
    target.dispatchEvent(rejection(new NetworkError('offline', 'req')));
    target.dispatchEvent(rejection('just a string'));
    expect(sent.map((r) => [r.kind, r.message, r.request_id])).toEqual([
      ['unhandledrejection', 'ApiError 500: Error interno', 'srv-1'],
      ['unhandledrejection', 'Non-error rejection: string', undefined],
    ]);
  });

  it('reports interactions slower than 1 s until the next paint (fallback timing)', () => {
    let clock = 0;
    const paints: Array<() => void> = [];
    const { target, sent } = install({ clock: () => clock, afterNextPaint: (cb) => paints.push(cb) });

    target.dispatchEvent(new Event('click'));
    clock += 1500;
    paints.shift()!();
    target.dispatchEvent(new Event('keydown'));
    clock += 200;
    paints.shift()!();

    expect(sent.map((r) => [r.kind, r.message])).toEqual([['slow-interaction', 'click 1500 ms on unknown']]);
  });

  it('stops listening when uninstalled', () => {
    const { target, sent } = install();
    uninstall!();
    uninstall = undefined;
    target.dispatchEvent(errorEvent({ message: 'late', error: new Error('late') }));
    expect(sent).toEqual([]);
  });
});
