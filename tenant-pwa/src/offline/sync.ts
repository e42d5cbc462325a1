/**
 * How screens read and write with the offline layer.
 *
 * Writes: every create/edit/issue goes through the outbox (`submitWrite`): it is queued with its own
 * Idempotency-Key and, when the device is online, the outbox is replayed at once and the caller gets the
 * server's answer. So a write made online never overtakes one queued offline (order holds), a request
 * whose answer was lost is resent with the same key (applied once), and the same code path works offline:
 * the entry stays pending and the caller is told it was queued. A rejection of a write the user is looking
 * at (a form submit online) is returned as an ApiError for the form and removed from the outbox; a
 * rejection found later during a background replay stays in the outbox panel.
 *
 * Reads: `loadList` asks the server and falls back to the IndexedDB cache (filtered, sorted and paged
 * locally) when it cannot be reached; `syncAll` refreshes the cache (customers, products, recent invoices).
 */
import { ApiError, NetworkError } from '../api/http';
import type { Page, Query } from '../api/resources';
import type { CacheKind, CachedRecord, ReadCache } from './cache';
import type { EnqueueInput, Outbox, OutboxEntry } from './outbox';

export const TEMP_ID_PREFIX = 'tmp-';

/** Return the temporary ids (outbox entry ids) used anywhere in a path or body, without duplicates. */
export function temporaryIdsIn(...values: unknown[]): string[] {
  const found = new Set<string>();
  const walk = (value: unknown): void => {
    if (typeof value === 'string') {
      for (const match of value.matchAll(/tmp-[0-9a-f-]{36}/g)) found.add(match[0]);
    } else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  values.forEach(walk);
  return [...found];
}

export type WriteResult<T> = { queued: false; data: T; entry: OutboxEntry } | { queued: true; entry: OutboxEntry };

export interface SubmitOptions {
  /** Whether to try sending now (default: navigator.onLine). */
  online?: boolean;
}

/**
 * Queue a write (dependencies on temporary ids are found in the path and body) and, when online, send
 * it now through the outbox. Resolves with the server's body, or `queued` when it must wait for the
 * connection; rejects with the ApiError of a final rejection (the entry is then removed: the form shows it).
 */
export async function submitWrite<T>(outbox: Outbox, input: EnqueueInput, options: SubmitOptions = {}): Promise<WriteResult<T>> {
  const dependsOn = [...new Set([...(input.dependsOn ?? []), ...temporaryIdsIn(input.path, input.body)])];
  const entry = await outbox.enqueue({ ...input, dependsOn });
  const online = options.online ?? (typeof navigator === 'undefined' || navigator.onLine);
  if (!online) return { queued: true, entry };
  // A replay already running may have read the outbox before this entry existed: run again (bounded).
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const report = await outbox.replay();
    const current = (await outbox.get(entry.id)) ?? entry;
    if (current.state === 'done') return { queued: false, data: current.response?.body as T, entry: current };
    if (current.state === 'failed') {
      if (current.blockedBy || !current.error) return { queued: true, entry: current };
      await outbox.discard(current.id);
      throw new ApiError(current.error);
    }
    if (report.stoppedBy) return { queued: true, entry: current };
  }
  return { queued: true, entry: (await outbox.get(entry.id)) ?? entry };
}

/** A record created offline and not yet on the server, as list screens show it. */
export type PendingRecord = CachedRecord & { _pending: OutboxEntry['state']; _label?: string };

/** Return the creations queued for a collection path (e.g. "/api/v1/customers") as provisional records. */
export async function pendingCreates(outbox: Outbox, path: string): Promise<PendingRecord[]> {
  const entries = await outbox.list();
  return entries
    .filter((entry) => entry.method === 'POST' && entry.path === path && entry.state !== 'done')
    .map((entry) => ({
      ...(entry.body as Record<string, unknown>),
      id: entry.id,
      _pending: entry.state,
      ...(entry.label ? { _label: entry.label } : {}),
    }));
}

export interface ListResult<T> extends Page<T> {
  /** True when the rows come from the device's cache because the server could not be reached. */
  offline: boolean;
  /** Last successful sync of the cache (ISO 8601), when offline. */
  syncedAt: string | null;
}

export interface LocalQuery {
  q?: string;
  /** Field name, "-field" for descending. */
  sort?: string;
  page?: number;
  pageSize?: number;
  /** Fields `q` searches. */
  searchFields: string[];
  /** Exact-match filters (field -> accepted values). */
  filters?: Record<string, string[] | undefined>;
  /** Inclusive range on a date-only field. */
  dateField?: string;
  dateFrom?: string;
  dateTo?: string;
}

function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** Filter, sort and page cached records the way the API does for the same query. */
export function queryLocal<T extends CachedRecord>(records: T[], query: LocalQuery): Page<T> {
  const needle = query.q?.trim() ? fold(query.q.trim()) : '';
  let rows = records.filter((record) => {
    if (needle && !query.searchFields.some((field) => fold(String(record[field] ?? '')).includes(needle))) return false;
    for (const [field, accepted] of Object.entries(query.filters ?? {})) {
      if (accepted?.length && !accepted.includes(String(record[field] ?? ''))) return false;
    }
    if (query.dateField) {
      const value = String(record[query.dateField] ?? '');
      if (query.dateFrom && value < query.dateFrom) return false;
      if (query.dateTo && value > query.dateTo) return false;
    }
    return true;
  });
  if (query.sort) {
    const descending = query.sort.startsWith('-');
    const field = descending ? query.sort.slice(1) : query.sort;
    const collator = new Intl.Collator('es', { numeric: true, sensitivity: 'base' });
    rows = [...rows].sort((a, b) => {
      const order = collator.compare(String(a[field] ?? ''), String(b[field] ?? ''));
      return descending ? -order : order;
    });
  }
  const pageSize = query.pageSize ?? 50;
  const page = Math.max(1, query.page ?? 1);
  const total = rows.length;
  return {
    items: rows.slice((page - 1) * pageSize, page * pageSize),
    total,
    page,
    page_size: pageSize,
    pages: Math.max(1, Math.ceil(total / pageSize)),
  };
}

/** Ask the server for a page; when it cannot be reached, answer the same query from the cache. */
export async function loadList<T extends CachedRecord>(
  fetchPage: () => Promise<Page<T>>,
  cache: ReadCache | null,
  kind: CacheKind,
  local: LocalQuery,
): Promise<ListResult<T>> {
  try {
    const page = await fetchPage();
    return { ...page, offline: false, syncedAt: null };
  } catch (error) {
    if (!(error instanceof NetworkError) || !cache) throw error;
    const [records, syncedAt] = await Promise.all([cache.list(kind), cache.lastSync(kind)]);
    return { ...queryLocal(records as T[], local), offline: true, syncedAt };
  }
}

export type Fetcher = (path: string, query: Query) => Promise<Page<CachedRecord>>;

/** What to cache for a kind: the API path, the query and how many pages at most. */
export const SYNC_PLAN: Record<CacheKind, { path: string; query: Query; maxPages: number }> = {
  customers: { path: '/customers', query: { page_size: 200, sort: 'legal_name' }, maxPages: 50 },
  products: { path: '/products', query: { page_size: 200, sort: 'name' }, maxPages: 50 },
  // The cache keeps the 200 most recent invoices: one page sorted by issue date.
  invoices: { path: '/invoices', query: { page_size: 200, sort: '-issue_date' }, maxPages: 1 },
};

/** Download a kind completely (page by page) and replace the cache. Returns the number of records. */
export async function syncKind(cache: ReadCache, kind: CacheKind, fetcher: Fetcher, now: () => Date = () => new Date()): Promise<number> {
  const plan = SYNC_PLAN[kind];
  const records: CachedRecord[] = [];
  for (let page = 1; page <= plan.maxPages; page += 1) {
    const result = await fetcher(plan.path, { ...plan.query, page });
    records.push(...result.items);
    if (page >= result.pages) break;
  }
  await cache.replaceAll(kind, records, now());
  return records.length;
}

/** Refresh every cached kind the user may read; a kind that fails is skipped (kept as it was). */
export async function syncAll(cache: ReadCache, kinds: CacheKind[], fetcher: Fetcher): Promise<Partial<Record<CacheKind, number>>> {
  const counts: Partial<Record<CacheKind, number>> = {};
  for (const kind of kinds) {
    try {
      counts[kind] = await syncKind(cache, kind, fetcher);
    } catch (error) {
      if (error instanceof NetworkError) break;
    }
  }
  return counts;
}

/** How many draft documents are downloaded in full (with lines) so they can be edited offline. */
export const OFFLINE_DRAFTS_LIMIT = 20;

/**
 * Download the full documents (with lines) of the cached draft invoices, so they open and can be edited
 * offline, and forget full documents that are no longer among the cached invoices.
 */
export async function syncDrafts(cache: ReadCache, fetchDocument: (id: string) => Promise<CachedRecord>): Promise<number> {
  const rows = await cache.list('invoices');
  const drafts = rows.filter((row) => row.status === 'draft').slice(0, OFFLINE_DRAFTS_LIMIT);
  for (const row of drafts) await cache.putDocument(await fetchDocument(row.id));
  await cache.retainDocuments(rows.map((row) => row.id));
  return drafts.length;
}

/** Call `fn` once `waitMs` after the last call; `cancel()` drops a pending call. */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, waitMs: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const debounced = (...args: A) => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      fn(...args);
    }, waitMs);
  };
  debounced.cancel = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  return debounced;
}
