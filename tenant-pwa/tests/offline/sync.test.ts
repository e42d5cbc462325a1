import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, NetworkError, type HttpResult, type RequestOptions } from '../../src/api/http';
import { ReadCache } from '../../src/offline/cache';
import { closeAllUserDbs, type Scope } from '../../src/offline/db';
import { Outbox } from '../../src/offline/outbox';
import { openDB } from 'idb';
import { databaseName } from '../../src/offline/db';
import { debounce, loadList, pendingCreates, queryLocal, submitWrite, syncAll, syncDrafts, syncKind, temporaryIdsIn } from '../../src/offline/sync';

const ana: Scope = { tenantId: 'tenant-1', userId: 'user-ana' };

interface SentCall {
  path: string;
  method: string | undefined;
  body: unknown;
  idempotencyKey: string | undefined;
}

/** A fake API: `mode` decides whether requests reach it; created objects get ids srv-1, srv-2... */
function fakeServer() {
  const calls: SentCall[] = [];
  const state = { online: true, reject: null as ApiError | null };
  const applied = new Map<string, unknown>();
  const send = async (path: string, options: RequestOptions): Promise<HttpResult<unknown>> => {
    calls.push({ path, method: options.method, body: options.body, idempotencyKey: options.idempotencyKey });
    if (!state.online) throw new NetworkError('offline', 'req');
    if (state.reject) throw state.reject;
    const key = options.idempotencyKey!;
    if (!applied.has(key)) applied.set(key, { id: `srv-${applied.size + 1}`, path, ...(options.body as object) });
    return { status: 201, data: applied.get(key), requestId: 'srv', headers: new Headers() };
  };
  return { calls, state, applied, send };
}

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
});
afterEach(async () => {
  await closeAllUserDbs();
});

describe('temporaryIdsIn', () => {
  it('finds outbox placeholders in paths and nested bodies, once each', () => {
    const a = 'tmp-11111111-2222-3333-4444-555555555555';
    const b = 'tmp-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
    expect(temporaryIdsIn(`/api/v1/invoices/${a}/issue`, { customer_id: b, lines: [{ product_id: a }] })).toEqual([a, b]);
    expect(temporaryIdsIn('/api/v1/customers', { customer_id: '7f1c', note: 'tmp-x' })).toEqual([]);
  });
});

describe('submitWrite', () => {
  it('sends at once when online and returns the server body; the entry is done with its own key', async () => {
    const api = fakeServer();
    const outbox = new Outbox(ana, { send: api.send });
    const result = await submitWrite<{ id: string }>(outbox, { method: 'POST', path: '/api/v1/customers', body: { legal_name: 'Ana' } }, { online: true });

    expect(result.queued).toBe(false);
    expect(result.queued === false && result.data).toEqual({ id: 'srv-1', path: '/api/v1/customers', legal_name: 'Ana' });
    expect(api.calls).toHaveLength(1);
    expect(api.calls[0]!.idempotencyKey).toBe(result.entry.idempotencyKey);
    expect((await outbox.get(result.entry.id))?.state).toBe('done');
  });

  it('queues offline, links a draft invoice to a customer created offline, and replays both in order exactly once', async () => {
    const api = fakeServer();
    const outbox = new Outbox(ana, { send: api.send });
    const customer = await submitWrite(outbox, { method: 'POST', path: '/api/v1/customers', body: { legal_name: 'Bea' } }, { online: false });
    expect(customer.queued).toBe(true);
    const invoice = await submitWrite(outbox, {
      method: 'POST',
      path: '/api/v1/invoices',
      body: { customer_id: customer.entry.id, lines: [{ description: 'Hora', quantity: '1' }] },
    }, { online: false });
    const issue = await submitWrite(outbox, { method: 'POST', path: `/api/v1/invoices/${invoice.entry.id}/issue`, body: {} }, { online: false });

    expect(invoice.entry.dependsOn).toEqual([customer.entry.id]);
    expect(issue.entry.dependsOn).toEqual([invoice.entry.id]);
    expect(api.calls).toHaveLength(0);
    expect((await pendingCreates(outbox, '/api/v1/customers')).map((r) => [r.id, r.legal_name, r._pending])).toEqual([
      [customer.entry.id, 'Bea', 'pending'],
    ]);

    // Back online: a second write triggers the replay of everything before it, in order.
    const later = await submitWrite<{ id: string }>(outbox, { method: 'POST', path: '/api/v1/customers', body: { legal_name: 'Carla' } }, { online: true });
    expect(later.queued).toBe(false);
    expect(api.calls.map((c) => [c.method, c.path, c.body])).toEqual([
      ['POST', '/api/v1/customers', { legal_name: 'Bea' }],
      ['POST', '/api/v1/invoices', { customer_id: 'srv-1', lines: [{ description: 'Hora', quantity: '1' }] }],
      ['POST', '/api/v1/invoices/srv-2/issue', {}],
      ['POST', '/api/v1/customers', { legal_name: 'Carla' }],
    ]);
    expect(new Set(api.calls.map((c) => c.idempotencyKey)).size).toBe(4);
    expect(await pendingCreates(outbox, '/api/v1/customers')).toEqual([]);

    // Replaying again sends nothing: each operation reached the server once.
    await outbox.replay();
    expect(api.calls).toHaveLength(4);
    expect(api.applied.size).toBe(4);
  });

  it('keeps a write queued (same key) when the network drops mid-way, and resends it with that key', async () => {
    const api = fakeServer();
    const outbox = new Outbox(ana, { send: api.send });
    api.state.online = false;
    const first = await submitWrite(outbox, { method: 'POST', path: '/api/v1/customers', body: { legal_name: 'Dani' } }, { online: true });
    expect(first.queued).toBe(true);
    expect((await outbox.get(first.entry.id))?.state).toBe('pending');

    api.state.online = true;
    await outbox.replay();
    expect(api.calls.map((c) => c.idempotencyKey)).toEqual([first.entry.idempotencyKey, first.entry.idempotencyKey]);
    expect(api.applied.size).toBe(1);
  });

  it('throws the server rejection of an online submit for the form and removes it from the outbox', async () => {
    const api = fakeServer();
    const outbox = new Outbox(ana, { send: api.send });
    api.state.reject = new ApiError({
      type: 'about:blank',
      title: 'Revise los campos marcados.',
      status: 422,
      errors: { tax_id: ['NIF no válido: la letra de control no coincide.'] },
    });
    const error = await submitWrite(outbox, { method: 'POST', path: '/api/v1/customers', body: { legal_name: 'Eva', tax_id: '1' } }, { online: true }).catch((e) => e);

    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).errors).toEqual({ tax_id: ['NIF no válido: la letra de control no coincide.'] });
    expect(await outbox.list()).toEqual([]);
  });

  it('keeps a rejection found while replaying queued work as a failed entry (not dropped)', async () => {
    const api = fakeServer();
    const outbox = new Outbox(ana, { send: api.send });
    const queued = await submitWrite(outbox, { method: 'POST', path: '/api/v1/customers', body: { legal_name: 'Fer' } }, { online: false });
    api.state.reject = new ApiError({ type: 'about:blank', title: 'Identificador fiscal duplicado', status: 409 });
    await outbox.replay();

    const entry = await outbox.get(queued.entry.id);
    expect(entry?.state).toBe('failed');
    expect(entry?.error?.title).toBe('Identificador fiscal duplicado');
    expect((await pendingCreates(outbox, '/api/v1/customers')).map((r) => r._pending)).toEqual(['failed']);
  });
});

describe('queryLocal', () => {
  const rows = [
    { id: '1', legal_name: 'Álvaro Pérez', tax_id: '12345678Z', issue_date: '2026-11-02', status: 'issued' },
    { id: '2', legal_name: 'beta sl', tax_id: 'B12345674', issue_date: '2026-10-15', status: 'draft' },
    { id: '3', legal_name: 'Gamma SA', tax_id: 'A58818501', issue_date: '2026-11-20', status: 'issued' },
  ];

  it('searches without accents or case, filters, sorts and pages like the API', () => {
    expect(queryLocal(rows, { q: 'alvaro', searchFields: ['legal_name'] }).items.map((r) => r.id)).toEqual(['1']);
    expect(queryLocal(rows, { sort: 'legal_name', searchFields: [] }).items.map((r) => r.id)).toEqual(['1', '2', '3']);
    expect(queryLocal(rows, { sort: '-issue_date', searchFields: [] }).items.map((r) => r.id)).toEqual(['3', '1', '2']);
    const filtered = queryLocal(rows, { searchFields: [], filters: { status: ['issued'] }, dateField: 'issue_date', dateFrom: '2026-11-01', dateTo: '2026-11-10' });
    expect(filtered.items.map((r) => r.id)).toEqual(['1']);
    const page2 = queryLocal(rows, { sort: 'legal_name', page: 2, pageSize: 2, searchFields: [] });
    expect([page2.items.map((r) => r.id), page2.total, page2.pages, page2.page]).toEqual([['3'], 3, 2, 2]);
  });
});

describe('read cache sync', () => {
  it('downloads every page, records the sync time and answers offline from the cache', async () => {
    const cache = new ReadCache(ana);
    const fetcher = vi.fn(async (_path: string, query: Record<string, unknown>) => {
      const page = Number(query.page);
      const items = page === 1 ? [{ id: 'c1', legal_name: 'Zeta' }, { id: 'c2', legal_name: 'Alfa' }] : [{ id: 'c3', legal_name: 'Beta' }];
      return { items, total: 3, page, page_size: 2, pages: 2 };
    });
    expect(await syncKind(cache, 'customers', fetcher, () => new Date('2026-11-29T10:00:00Z'))).toBe(3);
    expect(fetcher.mock.calls.map((call) => [call[0], call[1].page, call[1].page_size])).toEqual([
      ['/customers', 1, 200],
      ['/customers', 2, 200],
    ]);

    const offline = await loadList(() => Promise.reject(new NetworkError('offline', 'r')), cache, 'customers', {
      sort: 'legal_name',
      searchFields: ['legal_name'],
    });
    expect(offline.offline).toBe(true);
    expect(offline.syncedAt).toBe('2026-11-29T10:00:00.000Z');
    expect(offline.items.map((r) => r.legal_name)).toEqual(['Alfa', 'Beta', 'Zeta']);

    // Online answers come from the server; other errors are not hidden behind the cache.
    const online = await loadList(async () => ({ items: [{ id: 'x' }], total: 1, page: 1, page_size: 25, pages: 1 }), cache, 'customers', { searchFields: [] });
    expect([online.offline, online.items.length]).toEqual([false, 1]);
    const forbidden = new ApiError({ type: 'about:blank', title: 'Sin permiso', status: 403 });
    await expect(loadList(() => Promise.reject(forbidden), cache, 'customers', { searchFields: [] })).rejects.toBe(forbidden);
  });

  it('syncAll skips a kind the server refuses and stops when offline', async () => {
    const cache = new ReadCache(ana);
    const fetcher = vi.fn(async (path: string) => {
      if (path === '/products') throw new ApiError({ type: 'about:blank', title: 'Sin permiso', status: 403 });
      if (path === '/invoices') throw new NetworkError('offline', 'r');
      return { items: [{ id: 'c1' }], total: 1, page: 1, page_size: 200, pages: 1 };
    });
    expect(await syncAll(cache, ['customers', 'products', 'invoices'], fetcher)).toEqual({ customers: 1 });
    expect(await cache.lastSync('products')).toBeNull();
  });
});

describe('debounce', () => {
  it('calls once with the last arguments after the quiet period; cancel drops it', () => {
    vi.useFakeTimers();
    try {
      const fn = vi.fn();
      const debounced = debounce(fn, 400);
      debounced('a');
      vi.advanceTimersByTime(300);
      debounced('b');
      vi.advanceTimersByTime(399);
      expect(fn).not.toHaveBeenCalled();
      vi.advanceTimersByTime(1);
      expect(fn.mock.calls).toEqual([['b']]);
      debounced('c');
      debounced.cancel();
      vi.advanceTimersByTime(1000);
      expect(fn).toHaveBeenCalledTimes(1);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('draft documents for offline editing', () => {
  it('downloads the cached drafts in full and forgets documents no longer cached', async () => {
    const cache = new ReadCache(ana);
    await cache.replaceAll('invoices', [
      { id: 'd1', status: 'draft', issue_date: '2026-11-20' },
      { id: 'i1', status: 'issued', issue_date: '2026-11-10' },
      { id: 'd2', status: 'draft', issue_date: '2026-11-01' },
    ]);
    await cache.putDocument({ id: 'gone', status: 'draft', lines: [] });
    await cache.putDocument({ id: 'i1', status: 'issued', lines: [{ description: 'kept: opened before' }] });
    const fetched: string[] = [];
    const count = await syncDrafts(cache, async (id) => {
      fetched.push(id);
      return { id, status: 'draft', lines: [{ description: `line of ${id}`, quantity: '1.000' }] };
    });

    expect([count, fetched]).toEqual([2, ['d1', 'd2']]);
    expect(await cache.getDocument('d2')).toEqual({ id: 'd2', status: 'draft', lines: [{ description: 'line of d2', quantity: '1.000' }] });
    expect((await cache.getDocument('i1'))?.lines).toEqual([{ description: 'kept: opened before' }]);
    expect(await cache.getDocument('gone')).toBeUndefined();
  });

  it('upgrades a version-1 database without losing the outbox', async () => {
    const v1 = await openDB(databaseName(ana), 1, {
      upgrade(db) {
        const outbox = db.createObjectStore('outbox', { keyPath: 'id' });
        outbox.createIndex('seq', 'seq', { unique: true });
        db.createObjectStore('meta');
        for (const name of ['customers', 'products', 'invoices']) db.createObjectStore(name, { keyPath: 'id' });
        db.createObjectStore('sync', { keyPath: 'kind' });
      },
    });
    await v1.put('outbox', { id: 'tmp-old', seq: 1, state: 'pending', dependsOn: [], method: 'POST', path: '/api/v1/customers' });
    v1.close();

    const outbox = new Outbox(ana);
    expect((await outbox.list()).map((e) => e.id)).toEqual(['tmp-old']);
    const cache = new ReadCache(ana);
    await cache.putDocument({ id: 'd1', lines: [] });
    expect(await cache.getDocument('d1')).toEqual({ id: 'd1', lines: [] });
  });
});
