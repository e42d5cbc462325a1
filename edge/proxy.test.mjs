// Worker behaviour that only a proxy has (timeouts, unreachable backend, URL mapping), outside the shared vectors.
import { afterEach, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import worker from './worker.js';
import { DEFAULT_BACKEND_TIMEOUT_MS, backendTimeoutMs, backendUrl } from './proxy.js';

const ENV = { BACKEND_URL: 'http://backend.internal:8000', GESTIQ_ENV: 'production' };
const CTX = { waitUntil() {}, passThroughOnException() {} };
const APP = 'https://app.gestiqcloud.com';
const originalFetch = globalThis.fetch;

afterEach(() => {
  globalThis.fetch = originalFetch;
  mock.restoreAll();
});

function request(path, init = {}) {
  return new Request(`https://api.gestiqcloud.com${path}`, init);
}

// A backend that never answers: the promise settles only when the worker aborts it, as real fetch does.
function hangingBackend(calls) {
  return (url, init) => {
    calls.push({ url: String(url), init });
    return new Promise((resolve, reject) => {
      init.signal.addEventListener('abort', () => reject(new DOMException('The operation was aborted.', 'AbortError')));
    });
  };
}

test('a backend slower than BACKEND_TIMEOUT_MS is answered 504 problem+json with CORS and the request id', async () => {
  const calls = [];
  globalThis.fetch = hangingBackend(calls);
  const response = await worker.fetch(
    request('/api/v1/tenant/invoices', { headers: { Origin: APP, 'X-Request-ID': 'slow-call-0001' } }),
    { ...ENV, BACKEND_TIMEOUT_MS: '50' },
    CTX,
  );
  assert.equal(calls.length, 1);
  assert.equal(response.status, 504);
  assert.equal(response.headers.get('Content-Type'), 'application/problem+json');
  assert.equal(response.headers.get('Cache-Control'), 'no-store');
  assert.equal(response.headers.get('X-Request-ID'), 'slow-call-0001');
  assert.equal(response.headers.get('Access-Control-Allow-Origin'), APP);
  assert.equal(response.headers.get('Vary'), 'Origin');
  assert.deepEqual(await response.json(), {
    type: 'https://gestiqcloud.com/problems/edge/backend-timeout',
    title: 'Gateway Timeout',
    status: 504,
    detail: 'The backend did not answer in time.',
    request_id: 'slow-call-0001',
  });
});

test('the default backend timeout is 30 s', async () => {
  const timers = mock.method(globalThis, 'setTimeout');
  globalThis.fetch = async () => new Response('ok');
  const response = await worker.fetch(request('/api/v1/tenant/me'), ENV, CTX);
  assert.equal(response.status, 200);
  assert.equal(DEFAULT_BACKEND_TIMEOUT_MS, 30000);
  assert.deepEqual(timers.mock.calls.map((call) => call.arguments[1]), [30000]);
});

test('BACKEND_TIMEOUT_MS falls back to the default unless it is a positive integer', () => {
  assert.equal(backendTimeoutMs({}), 30000);
  assert.equal(backendTimeoutMs({ BACKEND_TIMEOUT_MS: 'soon' }), 30000);
  assert.equal(backendTimeoutMs({ BACKEND_TIMEOUT_MS: '0' }), 30000);
  assert.equal(backendTimeoutMs({ BACKEND_TIMEOUT_MS: '-5' }), 30000);
  assert.equal(backendTimeoutMs({ BACKEND_TIMEOUT_MS: '2500' }), 2500);
});

test('a backend that answers in time is not cut by the timer', async () => {
  globalThis.fetch = async () => {
    await new Promise((resolve) => setTimeout(resolve, 10));
    return new Response('late but fine', { status: 200 });
  };
  const response = await worker.fetch(request('/api/v1/tenant/me'), { ...ENV, BACKEND_TIMEOUT_MS: '200' }, CTX);
  assert.equal(response.status, 200);
  assert.equal(await response.text(), 'late but fine');
});

test('an unreachable backend is answered 502 problem+json', async () => {
  globalThis.fetch = async () => {
    throw new TypeError('fetch failed');
  };
  const response = await worker.fetch(
    request('/api/v1/tenant/me', { headers: { Origin: 'https://evil.example' } }),
    ENV,
    CTX,
  );
  assert.equal(response.status, 502);
  assert.equal(response.headers.get('Content-Type'), 'application/problem+json');
  assert.equal(response.headers.get('Access-Control-Allow-Origin'), null);
  const body = await response.json();
  const requestId = response.headers.get('X-Request-ID');
  assert.deepEqual(body, {
    type: 'https://gestiqcloud.com/problems/edge/backend-unreachable',
    title: 'Bad Gateway',
    status: 502,
    detail: 'The backend could not be reached.',
    request_id: requestId,
  });
});

test('a programming error in the fetch path is not disguised as 502', async () => {
  globalThis.fetch = async () => {
    throw new RangeError('bug');
  };
  await assert.rejects(worker.fetch(request('/api/v1/tenant/me'), ENV, CTX), RangeError);
});

for (const [label, env] of [
  ['an unknown GESTIQ_ENV', { ...ENV, GESTIQ_ENV: 'prod' }],
  ['a missing GESTIQ_ENV', { BACKEND_URL: ENV.BACKEND_URL }],
  ['a missing BACKEND_URL', { GESTIQ_ENV: 'production' }],
  ['a BACKEND_URL that is not a URL', { ...ENV, BACKEND_URL: 'backend:8000' }],
]) {
  test(`${label} fails closed with 500 problem+json and never calls a backend`, async () => {
    const calls = [];
    globalThis.fetch = async (url) => {
      calls.push(url);
      return new Response('should not happen');
    };
    mock.method(console, 'error', () => {});
    const response = await worker.fetch(request('/api/v1/tenant/me', { headers: { Origin: APP } }), env, CTX);
    assert.equal(response.status, 500);
    assert.equal(response.headers.get('Content-Type'), 'application/problem+json');
    assert.equal(response.headers.get('Access-Control-Allow-Origin'), null);
    const body = await response.json();
    assert.equal(body.type, 'https://gestiqcloud.com/problems/edge/misconfigured');
    assert.equal(body.detail, 'The edge has no valid configuration for this environment.');
    assert.equal(calls.length, 0);
  });
}

test('BACKEND_URL may carry a path prefix; path and query are kept', () => {
  const incoming = new URL('https://api.gestiqcloud.com/api/v1/tenant/products?page=2&sort=-name');
  assert.equal(
    backendUrl('http://backend.internal:8000/base/', incoming),
    'http://backend.internal:8000/base/api/v1/tenant/products?page=2&sort=-name',
  );
  assert.equal(backendUrl('http://backend.internal:8000', incoming), 'http://backend.internal:8000/api/v1/tenant/products?page=2&sort=-name');
});

test('GET sends no body, redirects are handed to the client untouched', async () => {
  let seen;
  globalThis.fetch = async (url, init) => {
    seen = init;
    return new Response(null, { status: 302, headers: { Location: '/app/login' } });
  };
  const response = await worker.fetch(request('/app/'), ENV, CTX);
  assert.equal(seen.body, undefined);
  assert.equal(seen.redirect, 'manual');
  assert.equal(response.status, 302);
  assert.equal(response.headers.get('Location'), '/app/login');
});

test('a request body is streamed to the backend unchanged', async () => {
  let received;
  globalThis.fetch = async (url, init) => {
    received = await new Response(init.body).arrayBuffer();
    return new Response(null, { status: 201 });
  };
  const payload = new Uint8Array([0, 1, 2, 250, 255, 10, 13]);
  const response = await worker.fetch(request('/api/v1/tenant/imports', { method: 'POST', body: payload }), ENV, CTX);
  assert.equal(response.status, 201);
  assert.deepEqual(new Uint8Array(received), payload);
});
