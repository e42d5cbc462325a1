import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError, NetworkError, type HttpResult, type RequestOptions } from '../../src/api/http';
import { ReadCache } from '../../src/offline/cache';
import { clearUserData, closeAllUserDbs, openUserDb, type Scope } from '../../src/offline/db';
import { DEPENDENCY_FAILED, Outbox, rewriteIds } from '../../src/offline/outbox';

const ana: Scope = { tenantId: 'tenant-1', userId: 'user-ana' };
const bob: Scope = { tenantId: 'tenant-1', userId: 'user-bob' };

interface SentCall {
  path: string;
  method: string | undefined;
  body: unknown;
  idempotencyKey: string | undefined;
}

type Answer = (call: SentCall, index: number) => Promise<HttpResult<unknown>> | HttpResult<unknown>;

function server(answer: Answer) {
  const calls: SentCall[] = [];
  const send = async (path: string, options: RequestOptions) => {
    const call = { path, method: options.method, body: options.body, idempotencyKey: options.idempotencyKey };
    calls.push(call);
    return answer(call, calls.length - 1);
  };
  return { calls, send };
}

function created(body: unknown): HttpResult<unknown> {
  return { status: 201, data: body, requestId: 'srv', headers: new Headers() };
}

const offline = () => {
  throw new NetworkError('No se pudo conectar con el servidor', 'req');
};

function rejected(status: number, title: string, errors?: Record<string, string[]>, retryAfter?: string) {
  return new ApiError({ type: 'about:blank', title, status, detail: `${title} (detalle)`, errors, request_id: 'srv-err' }, retryAfter);
}

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
});
afterEach(async () => {
  await closeAllUserDbs();
});

describe('enqueue', () => {
  it('assigns monotonic seq numbers and a fresh Idempotency-Key per entry', async () => {
    const outbox = new Outbox(ana);
    const a = await outbox.enqueue({ method: 'POST', path: '/api/v1/customers', body: { name: 'A' } });
    const b = await outbox.enqueue({ method: 'POST', path: '/api/v1/customers', body: { name: 'B' } });
    await outbox.discard(b.id);
    const c = await outbox.enqueue({ method: 'PATCH', path: '/api/v1/customers/7', body: { name: 'C' } });

    expect([a.seq, b.seq, c.seq]).toEqual([1, 2, 3]); // never reused, even after a discard
    expect(new Set([a.idempotencyKey, b.idempotencyKey, c.idempotencyKey]).size).toBe(3);
    expect(a).toMatchObject({ tenantId: 'tenant-1', userId: 'user-ana', state: 'pending', attempts: 0, dependsOn: [] });
    expect(a.id).toMatch(/^tmp-[0-9a-f-]{36}$/);
  });

  it('refuses a dependency that is not in the outbox', async () => {
    const outbox = new Outbox(ana);
    await expect(outbox.enqueue({ method: 'POST', path: '/x', dependsOn: ['tmp-nope'] })).rejects.toThrow(
      'Unknown outbox dependency',
    );
    expect(await outbox.list()).toEqual([]);
  });
});

describe('replay', () => {
  it('sends pending entries one at a time in seq order and marks them done with the response', async () => {
    let inFlight = 0;
    const api = server(async (call) => {
      inFlight += 1;
      expect(inFlight).toBe(1);
      await new Promise((r) => setTimeout(r, 2));
      inFlight -= 1;
      return created({ id: `srv-${(call.body as { name: string }).name}` });
    });
    const outbox = new Outbox(ana, { send: api.send });
    for (const name of ['1', '2', '3']) await outbox.enqueue({ method: 'POST', path: '/api/v1/customers', body: { name } });

    const report = await outbox.replay();

    expect(report).toEqual({ sent: 3, failed: 0, remaining: 0 });
    expect(api.calls.map((c) => (c.body as { name: string }).name)).toEqual(['1', '2', '3']);
    const entries = await outbox.list();
    expect(entries.map((e) => [e.seq, e.state, e.serverId, e.attempts])).toEqual([
      [1, 'done', 'srv-1', 1],
      [2, 'done', 'srv-2', 1],
      [3, 'done', 'srv-3', 1],
    ]);
    expect(entries[0].response).toEqual({ status: 201, body: { id: 'srv-1' }, requestId: 'srv' });
  });

  it('stops at the first network failure, keeps that entry pending and sends nothing after it', async () => {
    const api = server((call) => ((call.body as { n: number }).n === 2 ? offline() : created({ id: 'x' })));
    const outbox = new Outbox(ana, { send: api.send });
    for (const n of [1, 2, 3]) await outbox.enqueue({ method: 'POST', path: '/api/v1/things', body: { n } });

    const report = await outbox.replay();

    expect(report).toEqual({ sent: 1, failed: 0, stoppedBy: 'network', remaining: 2 });
    expect(api.calls.map((c) => (c.body as { n: number }).n)).toEqual([1, 2]);
    const states = (await outbox.list()).map((e) => [e.state, e.attempts, e.error?.title]);
    expect(states).toEqual([
      ['done', 1, undefined],
      ['pending', 1, 'Sin conexión'],
      ['pending', 0, undefined],
    ]);
  });

  it('treats 5xx, 429 and Retry-After as temporary: stays pending and stops', async () => {
    for (const error of [rejected(503, 'Mantenimiento'), rejected(429, 'Demasiadas'), rejected(409, 'En curso', undefined, '2')]) {
      globalThis.indexedDB = new IDBFactory();
      await closeAllUserDbs();
      const api = server(() => {
        throw error;
      });
      const outbox = new Outbox(ana, { send: api.send });
      await outbox.enqueue({ method: 'POST', path: '/a', body: {} });
      await outbox.enqueue({ method: 'POST', path: '/b', body: {} });
      const report = await outbox.replay();
      expect(report.stoppedBy).toBe('server');
      expect(api.calls).toHaveLength(1);
      expect((await outbox.list()).map((e) => e.state)).toEqual(['pending', 'pending']);
    }
  });

  it('reuses the same Idempotency-Key and body on every retry', async () => {
    let online = false;
    const api = server(() => (online ? created({ id: 'srv-1' }) : offline()));
    const outbox = new Outbox(ana, { send: api.send });
    const entry = await outbox.enqueue({ method: 'POST', path: '/api/v1/invoices', body: { total: '10.00' } });

    await outbox.replay();
    await outbox.replay();
    online = true;
    await outbox.replay();

    expect(api.calls).toHaveLength(3);
    for (const call of api.calls) {
      expect(call.idempotencyKey).toBe(entry.idempotencyKey);
      expect(call.body).toEqual({ total: '10.00' });
    }
    expect(await outbox.get(entry.id)).toMatchObject({ state: 'done', attempts: 3, serverId: 'srv-1' });
  });

  it('resends an entry left in "sending" by a crashed run, with the same key', async () => {
    const outbox = new Outbox(ana);
    const entry = await outbox.enqueue({ method: 'POST', path: '/api/v1/x', body: {} });
    const db = await openUserDb(ana);
    await db.put('outbox', { ...entry, state: 'sending', attempts: 1 });

    const api = server(() => created({ id: '9' }));
    await new Outbox(ana, { send: api.send }).replay();

    expect(api.calls).toEqual([{ path: '/api/v1/x', method: 'POST', body: {}, idempotencyKey: entry.idempotencyKey }]);
    expect(await outbox.get(entry.id)).toMatchObject({ state: 'done', attempts: 2 });
  });

  it('prunes done entries after a week unless an unsent entry depends on them', async () => {
    const outbox = new Outbox(ana);
    const old = await outbox.enqueue({ method: 'POST', path: '/old', body: {} });
    const needed = await outbox.enqueue({ method: 'POST', path: '/needed', body: {} });
    const waiting = await outbox.enqueue({ method: 'POST', path: '/waiting', body: {}, dependsOn: [needed.id] });
    const db = await openUserDb(ana);
    const eightDaysAgo = new Date(Date.now() - 8 * 24 * 3600 * 1000).toISOString();
    for (const entry of [old, needed]) {
      await db.put('outbox', { ...entry, state: 'done', serverId: 's', lastAttemptAt: eightDaysAgo, createdAt: eightDaysAgo });
    }

    await new Outbox(ana, { send: async () => offline() }).replay();

    expect((await outbox.list()).map((e) => e.id)).toEqual([needed.id, waiting.id]);
  });

  it('gives calls made during a run one shared follow-up run, which sends what the first run missed', async () => {
    let outbox!: Outbox;
    let late: Promise<unknown> | undefined;
    const api = server(async (call) => {
      // While the first entry is on the wire, another one is queued and a replay is asked for.
      if (call.path === '/a') late = outbox.enqueue({ method: 'POST', path: '/b', body: {} });
      await late;
      return created({ id: call.path });
    });
    outbox = new Outbox(ana, { send: api.send });
    await outbox.enqueue({ method: 'POST', path: '/a', body: {} });
    const first = outbox.replay();
    const [second, third] = [outbox.replay(), outbox.replay()];
    expect(second).toBe(third);
    expect(await first).toMatchObject({ sent: 1, remaining: 0 });
    expect(await second).toMatchObject({ sent: 1, remaining: 0 });
    expect(api.calls.map((c) => c.path)).toEqual(['/a', '/b']);
    expect(await outbox.replay()).toMatchObject({ sent: 0 });
    expect(api.calls).toHaveLength(2);
  });

  it('marks 4xx rejections failed with the problem and field errors, and goes on with independent entries', async () => {
    const api = server((call) => {
      if (call.path === '/api/v1/customers') throw rejected(422, 'Datos no válidos', { tax_id: ['NIF no válido'] });
      return created({ id: 'p1' });
    });
    const outbox = new Outbox(ana, { send: api.send });
    const bad = await outbox.enqueue({ method: 'POST', path: '/api/v1/customers', body: { tax_id: 'X' }, label: 'Nuevo cliente' });
    const good = await outbox.enqueue({ method: 'POST', path: '/api/v1/products', body: { name: 'P' } });

    const report = await outbox.replay();

    expect(report).toEqual({ sent: 1, failed: 1, remaining: 0 });
    expect(await outbox.get(bad.id)).toMatchObject({
      state: 'failed',
      label: 'Nuevo cliente',
      error: {
        status: 422,
        title: 'Datos no válidos',
        detail: 'Datos no válidos (detalle)',
        errors: { tax_id: ['NIF no válido'] },
        request_id: 'srv-err',
      },
    });
    expect((await outbox.get(good.id))?.state).toBe('done');
    expect(await outbox.countUnsent()).toEqual({ pending: 0, failed: 1 });

    // A later replay does not resend the failed entry: it waits for the user.
    await outbox.replay();
    expect(api.calls).toHaveLength(2);
    expect((await outbox.get(bad.id))?.state).toBe('failed');
  });
});

describe('dependsOn', () => {
  it('rewrites temporary ids in path and body to the server id of the dependency', async () => {
    const api = server((call) => {
      if (call.path === '/api/v1/customers') return created({ id: 'cus-42', name: 'Ana' });
      return created({ id: 'inv-1' });
    });
    const outbox = new Outbox(ana, { send: api.send });
    const customer = await outbox.enqueue({ method: 'POST', path: '/api/v1/customers', body: { name: 'Ana' } });
    const invoice = await outbox.enqueue({
      method: 'POST',
      path: '/api/v1/invoices',
      body: { customer_id: customer.id, lines: [{ description: 'Servicio', quantity: '1' }], note: `ref ${customer.id}` },
      dependsOn: [customer.id],
    });
    const contact = await outbox.enqueue({
      method: 'PATCH',
      path: `/api/v1/customers/${customer.id}`,
      body: { phone: '600' },
      dependsOn: [customer.id],
    });

    await outbox.replay();

    expect(api.calls[1]).toMatchObject({
      path: '/api/v1/invoices',
      body: { customer_id: 'cus-42', lines: [{ description: 'Servicio', quantity: '1' }], note: 'ref cus-42' },
    });
    expect(api.calls[2].path).toBe('/api/v1/customers/cus-42');
    // The stored entry keeps the placeholder, so a retry rewrites it the same way.
    expect((await outbox.get(invoice.id))?.body).toMatchObject({ customer_id: customer.id });
    expect((await outbox.get(contact.id))?.state).toBe('done');
    expect((await outbox.get(customer.id))?.serverId).toBe('cus-42');
  });

  it('holds dependents of a failed entry (failed, blockedBy) while independent ones continue; retry releases them', async () => {
    let customerValid = false;
    const api = server((call) => {
      if (call.path === '/api/v1/customers') {
        if (!customerValid) throw rejected(409, 'NIF duplicado');
        return created({ id: 'cus-7' });
      }
      return created({ id: `id-${call.path}` });
    });
    const outbox = new Outbox(ana, { send: api.send });
    const customer = await outbox.enqueue({ method: 'POST', path: '/api/v1/customers', body: { name: 'Ana' } });
    const invoice = await outbox.enqueue({
      method: 'POST',
      path: '/api/v1/invoices',
      body: { customer_id: customer.id },
      dependsOn: [customer.id],
    });
    const payment = await outbox.enqueue({
      method: 'POST',
      path: `/api/v1/invoices/${invoice.id}/payments`,
      body: { amount: '5.00' },
      dependsOn: [invoice.id],
    });
    const product = await outbox.enqueue({ method: 'POST', path: '/api/v1/products', body: { name: 'P' } });

    const first = await outbox.replay();

    expect(first).toEqual({ sent: 1, failed: 3, remaining: 0 });
    expect(api.calls.map((c) => c.path)).toEqual(['/api/v1/customers', '/api/v1/products']);
    expect(await outbox.get(invoice.id)).toMatchObject({
      state: 'failed',
      blockedBy: customer.id,
      error: { type: DEPENDENCY_FAILED },
      attempts: 0,
    });
    expect(await outbox.get(payment.id)).toMatchObject({ state: 'failed', blockedBy: invoice.id });
    expect((await outbox.get(product.id))?.state).toBe('done');

    customerValid = true;
    expect((await outbox.retry(customer.id)).sort()).toEqual([customer.id, invoice.id, payment.id].sort());
    const second = await outbox.replay();

    expect(second).toEqual({ sent: 3, failed: 0, remaining: 0 });
    expect(api.calls.slice(2).map((c) => [c.path, c.body])).toEqual([
      ['/api/v1/customers', { name: 'Ana' }],
      ['/api/v1/invoices', { customer_id: 'cus-7' }],
      ['/api/v1/invoices/id-/api/v1/invoices/payments', { amount: '5.00' }],
    ]);
    // The retried customer kept its Idempotency-Key.
    expect(api.calls[0].idempotencyKey).toBe(api.calls[2].idempotencyKey);
  });

  it('discards an entry together with the entries that depend on it', async () => {
    const outbox = new Outbox(ana);
    const a = await outbox.enqueue({ method: 'POST', path: '/a', body: {} });
    const b = await outbox.enqueue({ method: 'POST', path: '/b', body: { a: a.id }, dependsOn: [a.id] });
    const c = await outbox.enqueue({ method: 'POST', path: '/c', body: {}, dependsOn: [b.id] });
    const d = await outbox.enqueue({ method: 'POST', path: '/d', body: {} });

    expect(await outbox.dependentsOf(a.id)).toEqual([b.id, c.id]);
    expect((await outbox.discard(a.id)).sort()).toEqual([a.id, b.id, c.id].sort());
    expect((await outbox.list()).map((e) => e.id)).toEqual([d.id]);
  });

  it('rewrites ids deeply without touching other values', () => {
    const ids = new Map([['tmp-1', 'real-1']]);
    expect(rewriteIds({ a: 'tmp-1', b: ['x', 'tmp-1/y'], c: 3, d: null, e: true }, ids)).toEqual({
      a: 'real-1',
      b: ['x', 'real-1/y'],
      c: 3,
      d: null,
      e: true,
    });
  });
});

describe('isolation and logout', () => {
  it('keeps each user\'s outbox and cache separate', async () => {
    const otherTenant: Scope = { tenantId: 'tenant-2', userId: 'user-ana' };
    const anaOutbox = new Outbox(ana);
    const bobOutbox = new Outbox(bob);
    const otherOutbox = new Outbox(otherTenant);
    await anaOutbox.enqueue({ method: 'POST', path: '/ana', body: {} });
    await anaOutbox.enqueue({ method: 'POST', path: '/ana-2', body: {} });
    const bobEntry = await bobOutbox.enqueue({ method: 'POST', path: '/bob', body: {} });
    await new ReadCache(ana).replaceAll('customers', [{ id: 'c1', name: 'Cliente de Ana' }]);

    expect((await anaOutbox.list()).map((e) => e.path)).toEqual(['/ana', '/ana-2']);
    expect((await bobOutbox.list()).map((e) => e.path)).toEqual(['/bob']);
    expect(await otherOutbox.list()).toEqual([]);
    expect(bobEntry.seq).toBe(1);
    expect(await new ReadCache(bob).list('customers')).toEqual([]);
    expect(await new ReadCache(otherTenant).list('customers')).toEqual([]);

    const api = server(() => created({ id: '1' }));
    await new Outbox(bob, { send: api.send }).replay();
    expect(api.calls.map((c) => c.path)).toEqual(['/bob']);
  });

  it('logout deletes that user\'s outbox and cache and nothing else', async () => {
    const anaOutbox = new Outbox(ana);
    await anaOutbox.enqueue({ method: 'POST', path: '/ana', body: {} });
    await new ReadCache(ana).replaceAll('products', [{ id: 'p1' }]);
    await new Outbox(bob).enqueue({ method: 'POST', path: '/bob', body: {} });
    await new ReadCache(bob).replaceAll('products', [{ id: 'p2' }]);

    await clearUserData(ana);
    const names = (await indexedDB.databases()).map((d) => d.name);
    expect(names).toEqual(['gestiq:tenant-1:user-bob']);

    expect(await new Outbox(ana).list()).toEqual([]);
    expect(await new ReadCache(ana).list('products')).toEqual([]);
    expect(await new ReadCache(ana).lastSync('products')).toBeNull();
    expect((await new Outbox(bob).list()).map((e) => e.path)).toEqual(['/bob']);
    expect(await new ReadCache(bob).list('products')).toEqual([{ id: 'p2' }]);
  });
});
