import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ApiError,
  NetworkError,
  api,
  configureHttp,
  getLastRequestId,
  httpEvents,
  resetHttp,
  send,
} from '../../src/api/http';
import { createFakeFetch, deferred, json, problem, type Handler } from '../helpers/fake-fetch';

const cookies: Record<string, string> = {
  csrf_access_token: 'csrf-access-1',
  csrf_refresh_token: 'csrf-refresh-1',
};

function setup(handler: Handler) {
  const fake = createFakeFetch(handler);
  let counter = 0;
  configureHttp({
    fetch: fake.fetch,
    readCookie: (name) => cookies[name],
    newRequestId: () => `req-${++counter}`,
  });
  return fake.calls;
}

function collect(name: string): unknown[] {
  const seen: unknown[] = [];
  httpEvents.addEventListener(name, (event) => seen.push((event as CustomEvent).detail));
  return seen;
}

beforeEach(() => {
  resetHttp();
  cookies.csrf_access_token = 'csrf-access-1';
});
afterEach(() => resetHttp());

describe('requests', () => {
  it('sends cookies, a request id and no CSRF header on GET, and keeps the response request id', async () => {
    const calls = setup(() => json(200, { ok: true }, { 'X-Request-ID': 'srv-1' }));

    const result = await send('/api/v1/things', { query: { page: 2, q: 'a b', empty: undefined } });

    expect(result).toMatchObject({ status: 200, data: { ok: true }, requestId: 'srv-1' });
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toBe('/api/v1/things?page=2&q=a+b');
    expect(calls[0].credentials).toBe('include');
    expect(calls[0].headers['x-request-id']).toBe('req-1');
    expect(calls[0].headers['x-csrf-token']).toBeUndefined();
    expect(getLastRequestId()).toBe('srv-1');
  });

  it('adds the CSRF token, JSON body and Idempotency-Key on unsafe methods', async () => {
    const calls = setup(() => json(201, { id: 'c1' }));

    const data = await api.post('/customers', { name: 'Ana' }, { idempotencyKey: 'key-1' });

    expect(data).toEqual({ id: 'c1' });
    expect(calls[0].method).toBe('POST');
    expect(calls[0].url).toBe('/api/v1/customers');
    expect(calls[0].headers['x-csrf-token']).toBe('csrf-access-1');
    expect(calls[0].headers['content-type']).toBe('application/json');
    expect(calls[0].headers['idempotency-key']).toBe('key-1');
    expect(calls[0].body).toEqual({ name: 'Ana' });
  });

  it('sends a FormData body as multipart, untouched, with the CSRF token and no JSON content type', async () => {
    let sent: BodyInit | null | undefined;
    const fake = createFakeFetch(() => json(201, { id: 'a1', filename: 'f.pdf' }));
    configureHttp({
      fetch: ((input: RequestInfo | URL, init: RequestInit = {}) => {
        sent = init.body;
        return fake.fetch(input, init);
      }) as typeof fetch,
      readCookie: (name) => cookies[name],
      newRequestId: () => 'req-form',
    });
    const form = new FormData();
    form.append('file', new Blob(['%PDF-1.4'], { type: 'application/pdf' }), 'f.pdf');

    const data = await api.post('/purchases/invoices/d1/attachments', form);

    expect(data).toEqual({ id: 'a1', filename: 'f.pdf' });
    expect(sent).toBe(form);
    expect(fake.calls[0].headers['content-type']).toBeUndefined();
    expect(fake.calls[0].headers['x-csrf-token']).toBe('csrf-access-1');
    expect(fake.calls[0].url).toBe('/api/v1/purchases/invoices/d1/attachments');
  });

  it.each(['PUT', 'PATCH', 'DELETE'] as const)('adds the CSRF token on %s', async (method) => {
    const calls = setup(() => new Response(null, { status: 204 }));
    const result = await send('/api/v1/x', { method });
    expect(result.data).toBeUndefined();
    expect(calls[0].headers['x-csrf-token']).toBe('csrf-access-1');
  });

  it('throws ApiError carrying the problem document and field errors', async () => {
    setup(() =>
      problem(422, 'Datos no válidos', {
        detail: 'Revisa los campos',
        errors: { tax_id: ['NIF no válido'], lines: { '0': { quantity: ['Debe ser positivo'] } } },
        request_id: 'srv-9',
      }),
    );

    const error = await api.post('/customers', {}).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    const apiError = error as ApiError;
    expect(apiError.status).toBe(422);
    expect(apiError.title).toBe('Datos no válidos');
    expect(apiError.detail).toBe('Revisa los campos');
    expect(apiError.requestId).toBe('srv-9');
    expect(apiError.errors).toEqual({ tax_id: ['NIF no válido'], 'lines.0.quantity': ['Debe ser positivo'] });
    expect(apiError.toProblem()).toEqual({
      type: 'about:blank',
      title: 'Datos no válidos',
      status: 422,
      detail: 'Revisa los campos',
      errors: { tax_id: ['NIF no válido'], 'lines.0.quantity': ['Debe ser positivo'] },
      request_id: 'srv-9',
    });
  });

  it('turns a non-JSON error page into an ApiError with our request id', async () => {
    setup(() => new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    const error = (await api.get('/x').catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(502);
    expect(error.title).toBe('Bad Gateway');
    expect(error.requestId).toBe('req-1');
  });

  it('throws NetworkError and emits network-error when the server cannot be reached', async () => {
    const events = collect('network-error');
    setup(() => {
      throw new TypeError('Failed to fetch');
    });
    const error = await api.get('/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).requestId).toBe('req-1');
    expect(events).toHaveLength(1);
  });

  it('times out slow requests as a NetworkError', async () => {
    // A server that never answers: only the wrapper's own timer can end the request.
    setup(() => new Response());
    configureHttp({
      fetch: (_input, init) =>
        new Promise((_resolve, reject) => {
          init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        }),
    });
    const error = await send('/x', { timeoutMs: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toBe('Tiempo de espera agotado');
  });
});

describe('401 and refresh', () => {
  it('refreshes once with the refresh CSRF cookie and retries with the same Idempotency-Key', async () => {
    const calls = setup((call) => {
      if (call.url.endsWith('/auth/refresh')) {
        cookies.csrf_access_token = 'csrf-access-2';
        return json(200, {});
      }
      return call.headers['x-csrf-token'] === 'csrf-access-2' ? json(201, { id: 'i1' }) : problem(401, 'Expired');
    });

    const data = await api.post('/invoices', { n: 1 }, { idempotencyKey: 'idem-1' });

    expect(data).toEqual({ id: 'i1' });
    expect(calls.map((c) => c.url)).toEqual([
      '/api/v1/invoices',
      '/api/v1/tenant/auth/refresh',
      '/api/v1/invoices',
    ]);
    expect(calls[1].method).toBe('POST');
    expect(calls[1].headers['x-csrf-token']).toBe('csrf-refresh-1');
    expect(calls[2].headers['x-csrf-token']).toBe('csrf-access-2');
    expect(calls[2].headers['idempotency-key']).toBe('idem-1');
    expect(calls[2].headers['x-request-id']).not.toBe(calls[0].headers['x-request-id']);
  });

  it('shares one refresh between concurrent 401s', async () => {
    const gate = deferred<Response>();
    let refreshed = false;
    const calls = setup((call) => {
      if (call.url.endsWith('/auth/refresh')) {
        return gate.promise.then((r) => {
          refreshed = true;
          return r;
        });
      }
      return refreshed ? json(200, { url: call.url }) : problem(401, 'Expired');
    });

    const pending = Promise.all([api.get('/a'), api.get('/b'), api.get('/c')]);
    await new Promise((r) => setTimeout(r, 0));
    gate.resolve(json(200, {}));
    const results = await pending;

    expect(results).toEqual([{ url: '/api/v1/a' }, { url: '/api/v1/b' }, { url: '/api/v1/c' }]);
    expect(calls.filter((c) => c.url.endsWith('/auth/refresh'))).toHaveLength(1);
    expect(calls).toHaveLength(7);
  });

  it('does not refresh again for a 401 to a request sent before the refresh finished', async () => {
    const lateAnswer = deferred<Response>();
    let refreshes = 0;
    const calls = setup((call, index) => {
      if (call.url.endsWith('/auth/refresh')) {
        refreshes += 1;
        return json(200, {});
      }
      if (index === 1) return lateAnswer.promise; // /b, sent with the old cookie, answers late
      return refreshes ? json(200, { ok: call.url }) : problem(401, 'Expired');
    });

    const first = api.get('/a');
    const second = api.get('/b');
    await expect(first).resolves.toEqual({ ok: '/api/v1/a' });
    lateAnswer.resolve(problem(401, 'Expired'));
    await expect(second).resolves.toEqual({ ok: '/api/v1/b' });
    expect(refreshes).toBe(1);
    expect(calls.map((c) => c.url)).toEqual([
      '/api/v1/a',
      '/api/v1/b',
      '/api/v1/tenant/auth/refresh',
      '/api/v1/a',
      '/api/v1/b',
    ]);
  });

  it('emits session-expired once and throws the 401 when the refresh is refused', async () => {
    const expired = collect('session-expired');
    const calls = setup((call) =>
      call.url.endsWith('/auth/refresh') ? problem(401, 'Refresh revoked') : problem(401, 'Expired'),
    );

    const results = await Promise.allSettled([api.get('/a'), api.get('/b')]);

    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(ApiError);
      expect(((result as PromiseRejectedResult).reason as ApiError).status).toBe(401);
    }
    expect(expired).toHaveLength(1);
    expect(calls.filter((c) => c.url.endsWith('/auth/refresh'))).toHaveLength(1);
    expect(calls).toHaveLength(3); // no retries
  });

  it('emits session-expired when the retried request is still unauthorized', async () => {
    const expired = collect('session-expired');
    const calls = setup((call) => (call.url.endsWith('/auth/refresh') ? json(200, {}) : problem(401, 'Nope')));
    const error = (await api.get('/a').catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(401);
    expect(expired).toHaveLength(1);
    expect(calls).toHaveLength(3); // original, refresh, one retry only
  });

  it('keeps the session when the refresh fails for lack of network', async () => {
    const expired = collect('session-expired');
    setup((call) => {
      if (call.url.endsWith('/auth/refresh')) throw new TypeError('Failed to fetch');
      return problem(401, 'Expired');
    });
    const error = await api.get('/a').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(expired).toHaveLength(0);
  });

  it('never refreshes for requests that opt out (login)', async () => {
    const expired = collect('session-expired');
    const calls = setup(() => problem(401, 'Credenciales incorrectas'));
    const error = (await send('/api/v1/tenant/auth/login', {
      method: 'POST',
      body: {},
      refreshOnUnauthorized: false,
    }).catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(401);
    expect(error.title).toBe('Credenciales incorrectas');
    expect(calls).toHaveLength(1);
    expect(expired).toHaveLength(0);
  });
});
