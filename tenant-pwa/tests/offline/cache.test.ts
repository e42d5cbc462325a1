import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { RECENT_INVOICES_LIMIT, ReadCache } from '../../src/offline/cache';
import { closeAllUserDbs } from '../../src/offline/db';

const scope = { tenantId: 't1', userId: 'u1' };

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
});
afterEach(() => closeAllUserDbs());

it('replaces a kind on full sync and records the sync time', async () => {
  const cache = new ReadCache(scope);
  expect(await cache.lastSync('customers')).toBeNull();
  await cache.replaceAll('customers', [{ id: 'a', name: 'A' }, { id: 'b', name: 'B' }], new Date('2026-11-29T10:00:00Z'));
  await cache.replaceAll('customers', [{ id: 'c', name: 'C' }], new Date('2026-11-29T11:00:00Z'));

  expect(await cache.list('customers')).toEqual([{ id: 'c', name: 'C' }]);
  expect(await cache.lastSync('customers')).toBe('2026-11-29T11:00:00.000Z');
  expect(await cache.lastSync('products')).toBeNull();
});

it('upserts and removes single records without touching the sync time unless given', async () => {
  const cache = new ReadCache(scope);
  await cache.replaceAll('products', [{ id: 'p1', price: '1.00' }], new Date('2026-01-01T00:00:00Z'));
  await cache.upsert('products', [{ id: 'p1', price: '2.00' }, { id: 'p2', price: '3.00' }]);
  await cache.remove('products', 'p2');
  expect(await cache.get('products', 'p1')).toEqual({ id: 'p1', price: '2.00' });
  expect(await cache.list('products')).toHaveLength(1);
  expect(await cache.lastSync('products')).toBe('2026-01-01T00:00:00.000Z');
});

it('keeps only the most recent invoices, newest first', async () => {
  const cache = new ReadCache(scope);
  const invoices = Array.from({ length: RECENT_INVOICES_LIMIT + 5 }, (_, i) => ({
    id: `inv-${i}`,
    issue_date: `2026-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:00:${String(i % 60).padStart(2, '0')}`,
  }));
  await cache.replaceAll('invoices', invoices);
  await cache.upsert('invoices', [{ id: 'newest', issue_date: '2027-01-01' }]);

  const cached = await cache.list('invoices');
  expect(cached).toHaveLength(RECENT_INVOICES_LIMIT);
  expect(cached[0].id).toBe('newest');
  const dates = cached.map((r) => r.issue_date as string);
  expect([...dates].sort().reverse()).toEqual(dates);
});
