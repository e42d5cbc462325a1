/**
 * One IndexedDB database per tenant and user ("gestiq:<tenantId>:<userId>") holding the outbox and the
 * read cache. Keeping users in separate databases makes isolation structural (no query can mix them)
 * and makes logout a single deleteDB.
 */
import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { Problem } from '../api/http';

export interface Scope {
  tenantId: string;
  userId: string;
}

export type OutboxState = 'pending' | 'sending' | 'failed' | 'done';

export interface OutboxEntry {
  /** Temporary id ("tmp-<uuid>"); later entries may use it in their path or body as a placeholder. */
  id: string;
  tenantId: string;
  userId: string;
  /** Monotonic per database; replay order. */
  seq: number;
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  /** Created once at enqueue and sent on every attempt, so the server applies the operation once. */
  idempotencyKey: string;
  createdAt: string;
  state: OutboxState;
  attempts: number;
  /** Temporary ids of earlier entries whose server ids this entry needs. */
  dependsOn: string[];
  /** Short human description for the outbox panel ("Nuevo cliente: Ana"). */
  label?: string;
  /** Final for `failed`; for `pending`, why the last attempt did not go through. */
  error?: Problem;
  /** For `failed` entries that were never sent because a dependency failed. */
  blockedBy?: string;
  lastAttemptAt?: string;
  /** For `done`: what the server answered. */
  response?: { status: number; body: unknown; requestId: string };
  /** For `done`: the id of the created object (`response.body.id`), if any. */
  serverId?: string;
}

export type CacheKind = 'customers' | 'products' | 'invoices';

export interface CachedRecord {
  id: string;
  [field: string]: unknown;
}

export interface GestiqDb extends DBSchema {
  outbox: { key: string; value: OutboxEntry; indexes: { seq: number } };
  meta: { key: string; value: number };
  customers: { key: string; value: CachedRecord };
  products: { key: string; value: CachedRecord };
  invoices: { key: string; value: CachedRecord };
  /** Full sales documents (with lines) opened or saved on this device, and drafts, for offline editing. */
  documents: { key: string; value: CachedRecord };
  sync: { key: CacheKind; value: { kind: CacheKind; syncedAt: string } };
}

// 1: outbox, meta, customers, products, invoices, sync. 2: documents.
const VERSION = 2;
const connections = new Map<string, Promise<IDBPDatabase<GestiqDb>>>();

/** Return the database name for a tenant and user. */
export function databaseName(scope: Scope): string {
  if (!scope.tenantId || !scope.userId) throw new Error('Offline storage needs a tenant and a user');
  return `gestiq:${scope.tenantId}:${scope.userId}`;
}

/** Open (once per page) the database of a tenant and user. */
export function openUserDb(scope: Scope): Promise<IDBPDatabase<GestiqDb>> {
  const name = databaseName(scope);
  let connection = connections.get(name);
  if (!connection) {
    connection = openDB<GestiqDb>(name, VERSION, {
      upgrade(db, oldVersion) {
        if (oldVersion < 1) {
          const outbox = db.createObjectStore('outbox', { keyPath: 'id' });
          outbox.createIndex('seq', 'seq', { unique: true });
          db.createObjectStore('meta');
          db.createObjectStore('customers', { keyPath: 'id' });
          db.createObjectStore('products', { keyPath: 'id' });
          db.createObjectStore('invoices', { keyPath: 'id' });
          db.createObjectStore('sync', { keyPath: 'kind' });
        }
        if (oldVersion < 2) db.createObjectStore('documents', { keyPath: 'id' });
      },
      blocking(_current, _blocked, event) {
        // Another tab upgrades or deletes this database (e.g. logout there): let it.
        (event.target as IDBDatabase).close();
        connections.delete(name);
      },
      terminated() {
        connections.delete(name);
      },
    });
    connection.catch(() => connections.delete(name));
    connections.set(name, connection);
  }
  return connection;
}

/** Close and delete everything stored offline for this tenant and user (logout). */
export async function clearUserData(scope: Scope): Promise<void> {
  const name = databaseName(scope);
  const connection = connections.get(name);
  connections.delete(name);
  if (connection) {
    try {
      (await connection).close();
    } catch {
      // It never opened: nothing to close.
    }
  }
  await deleteDB(name);
}

/** Forget open connections without deleting data (tests, or switching user). */
export async function closeAllUserDbs(): Promise<void> {
  const pending = [...connections.values()];
  connections.clear();
  await Promise.allSettled(pending.map(async (connection) => (await connection).close()));
}
