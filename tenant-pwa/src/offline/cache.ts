/**
 * Local read cache of customers, products and recent invoices, per tenant and user, with the time of
 * the last successful sync of each kind. Screens show the cache when offline and refresh it when online.
 */
import { openUserDb, type CacheKind, type CachedRecord, type Scope } from './db';

export type { CacheKind, CachedRecord } from './db';

/** How many invoices the cache keeps (the most recent by issue date, then creation time). */
export const RECENT_INVOICES_LIMIT = 200;

function invoiceRecency(record: CachedRecord): string {
  const date = record.issue_date ?? record.created_at ?? '';
  return typeof date === 'string' ? date : '';
}

/** The read cache of one tenant and user. */
export class ReadCache {
  readonly scope: Scope;

  constructor(scope: Scope) {
    this.scope = scope;
  }

  /** Replace everything of a kind with a full download and record the sync time. */
  async replaceAll(kind: CacheKind, records: CachedRecord[], syncedAt: Date = new Date()): Promise<void> {
    const db = await openUserDb(this.scope);
    const tx = db.transaction([kind, 'sync'], 'readwrite');
    const store = tx.objectStore(kind);
    await store.clear();
    for (const record of kind === 'invoices' ? this.mostRecent(records) : records) await store.put(record);
    await tx.objectStore('sync').put({ kind, syncedAt: syncedAt.toISOString() });
    await tx.done;
  }

  /** Add or update some records (after a create/update, or an incremental sync). */
  async upsert(kind: CacheKind, records: CachedRecord[], syncedAt?: Date): Promise<void> {
    const db = await openUserDb(this.scope);
    const tx = db.transaction([kind, 'sync'], 'readwrite');
    const store = tx.objectStore(kind);
    for (const record of records) await store.put(record);
    if (kind === 'invoices') {
      const keep = new Set(this.mostRecent(await store.getAll()).map((r) => r.id));
      for (const key of await store.getAllKeys()) if (!keep.has(key)) await store.delete(key);
    }
    if (syncedAt) await tx.objectStore('sync').put({ kind, syncedAt: syncedAt.toISOString() });
    await tx.done;
  }

  /** Return all cached records of a kind (invoices most recent first). */
  async list(kind: CacheKind): Promise<CachedRecord[]> {
    const records = await (await openUserDb(this.scope)).getAll(kind);
    return kind === 'invoices' ? this.mostRecent(records) : records;
  }

  /** Return one cached record. */
  async get(kind: CacheKind, id: string): Promise<CachedRecord | undefined> {
    return (await openUserDb(this.scope)).get(kind, id);
  }

  /** Remove one cached record (deleted on the server). */
  async remove(kind: CacheKind, id: string): Promise<void> {
    await (await openUserDb(this.scope)).delete(kind, id);
  }

  /** Return when this kind was last synced (ISO 8601), or null if never. */
  async lastSync(kind: CacheKind): Promise<string | null> {
    return (await (await openUserDb(this.scope)).get('sync', kind))?.syncedAt ?? null;
  }

  /** Keep a full document (with lines) for offline reading and editing. */
  async putDocument(document: CachedRecord): Promise<void> {
    await (await openUserDb(this.scope)).put('documents', document);
  }

  /** Return a full document kept on this device, if any. */
  async getDocument(id: string): Promise<CachedRecord | undefined> {
    return (await openUserDb(this.scope)).get('documents', id);
  }

  /** Keep only the documents whose ids are given (the drafts and recent invoices still cached). */
  async retainDocuments(ids: Iterable<string>): Promise<void> {
    const keep = new Set(ids);
    const db = await openUserDb(this.scope);
    const tx = db.transaction('documents', 'readwrite');
    for (const key of await tx.store.getAllKeys()) if (!keep.has(key)) await tx.store.delete(key);
    await tx.done;
  }

  private mostRecent(records: CachedRecord[]): CachedRecord[] {
    return [...records]
      .sort((a, b) => invoiceRecency(b).localeCompare(invoiceRecency(a)))
      .slice(0, RECENT_INVOICES_LIMIT);
  }
}
