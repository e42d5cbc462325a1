/**
 * The outbox: writes made while offline (or that must survive a reload) are queued in IndexedDB and
 * replayed to the API in order.
 *
 * Rules (see README "Outbox"):
 * - `enqueue()` assigns the next `seq` and a fresh Idempotency-Key, once. Every attempt reuses the key and
 *   sends the same body, so a request that reached the server before the connection dropped is applied
 *   once (the API answers the stored response for a repeated key).
 * - `replay()` sends `pending` entries strictly in `seq` order, one at a time. It stops at the first
 *   failure that may heal by itself (network, timeout, 401 with no session, 408/425/429, 5xx, or any
 *   answer with Retry-After): that entry stays `pending` and nothing after it is sent, so the order holds.
 * - A final rejection (other 4xx) marks the entry `failed` with the server's problem (title, detail,
 *   field errors); it stays in the panel until the user retries or discards it. Replay then CONTINUES
 *   with later entries that do not depend on it: one bad invoice must not hold back unrelated work.
 *   Entries that depend on it (directly or through another entry) are not sent; they become `failed`
 *   with `blockedBy` set, and go back to `pending` when the failed entry is retried.
 * - `dependsOn` lists temporary ids of earlier entries. Before sending, every occurrence of such an id
 *   in the path or in any string of the body is replaced with that entry's server id (`response.id`).
 *   Example: a customer created offline (tmp-1) and a draft invoice with `customer_id: "tmp-1"`.
 * - `2xx` marks the entry `done` and stores the response, so the temporary id maps to the server id.
 *   Done entries are pruned after a week unless something still depends on them.
 */
import { ApiError, NetworkError, send as httpSend, type HttpResult, type Problem, type RequestOptions } from '../api/http';
import { openUserDb, type OutboxEntry, type Scope } from './db';

export type { OutboxEntry, OutboxState } from './db';

export type SendFunction = (path: string, options: RequestOptions) => Promise<HttpResult<unknown>>;

export interface EnqueueInput {
  method: OutboxEntry['method'];
  /** Full API path, e.g. "/api/v1/customers"; may contain temporary ids of `dependsOn` entries. */
  path: string;
  body?: unknown;
  dependsOn?: string[];
  label?: string;
}

export interface ReplayReport {
  sent: number;
  failed: number;
  /** Why replay stopped early, if it did; the entry it stopped at is still pending. */
  stoppedBy?: 'network' | 'server' | 'session';
  remaining: number;
}

export const DEPENDENCY_FAILED = 'urn:gestiq:outbox:dependency-failed';
export const DEPENDENCY_MISSING = 'urn:gestiq:outbox:dependency-missing';
export const NETWORK_PROBLEM = 'urn:gestiq:outbox:network';
const DONE_RETENTION_MS = 7 * 24 * 3600 * 1000;

function isRetryable(error: ApiError): boolean {
  return (
    error.status === 401 ||
    error.status === 408 ||
    error.status === 425 ||
    error.status === 429 ||
    error.status >= 500 ||
    error.retryAfter !== undefined
  );
}

/** Replace every occurrence of the temporary ids in strings (deeply) with the server ids. */
export function rewriteIds<T>(value: T, ids: Map<string, string>): T {
  if (typeof value === 'string') {
    let out: string = value;
    for (const [temporary, real] of ids) out = out.split(temporary).join(real);
    return out as T;
  }
  if (Array.isArray(value)) return value.map((item) => rewriteIds(item, ids)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, rewriteIds(item, ids)])) as T;
  }
  return value;
}

// Aborting makes tx.done reject; we throw our own error instead, so silence that rejection.
function abortQuietly(tx: { abort(): void; done: Promise<void> }): void {
  tx.done.catch(() => undefined);
  tx.abort();
}

function serverIdOf(body: unknown): string | undefined {
  if (body && typeof body === 'object' && 'id' in body) {
    const id = (body as { id: unknown }).id;
    if (typeof id === 'string' || typeof id === 'number') return String(id);
  }
  return undefined;
}

// All Outbox objects of one tenant+user in this page share one emitter, and a BroadcastChannel carries
// the news to other tabs, so the badge and the panel follow changes made anywhere.
const emitters = new Map<string, { events: EventTarget; channel: BroadcastChannel | null }>();

function emitterFor(scope: Scope) {
  const name = `gestiq-outbox:${scope.tenantId}:${scope.userId}`;
  let emitter = emitters.get(name);
  if (!emitter) {
    const events = new EventTarget();
    let channel: BroadcastChannel | null = null;
    if (typeof BroadcastChannel !== 'undefined') {
      channel = new BroadcastChannel(name);
      channel.onmessage = () => events.dispatchEvent(new Event('change'));
      // Node (tests) would otherwise keep the process alive for the channel.
      (channel as unknown as { unref?: () => void }).unref?.();
    }
    emitter = { events, channel };
    emitters.set(name, emitter);
  }
  return emitter;
}

/** The outbox of one tenant and user. */
export class Outbox {
  readonly scope: Scope;
  /** Fires `change` after every state change, from any tab (the panel and the badge listen). */
  readonly events: EventTarget;
  private readonly channel: BroadcastChannel | null;
  private readonly sendRequest: SendFunction;
  private running: Promise<ReplayReport> | null = null;
  private followUp: Promise<ReplayReport> | null = null;

  constructor(scope: Scope, options: { send?: SendFunction } = {}) {
    this.scope = scope;
    this.sendRequest = options.send ?? httpSend;
    ({ events: this.events, channel: this.channel } = emitterFor(scope));
  }

  private changed(): void {
    this.events.dispatchEvent(new Event('change'));
    this.channel?.postMessage('change');
  }

  /** Queue a write; returns the entry, whose `id` can be used as a placeholder by later entries. */
  async enqueue(input: EnqueueInput): Promise<OutboxEntry> {
    const db = await openUserDb(this.scope);
    const tx = db.transaction(['outbox', 'meta'], 'readwrite');
    const outbox = tx.objectStore('outbox');
    for (const dependency of input.dependsOn ?? []) {
      if (!(await outbox.get(dependency))) {
        abortQuietly(tx);
        throw new Error(`Unknown outbox dependency ${dependency}`);
      }
    }
    const meta = tx.objectStore('meta');
    const seq = ((await meta.get('seq')) ?? 0) + 1;
    const entry: OutboxEntry = {
      id: `tmp-${crypto.randomUUID()}`,
      tenantId: this.scope.tenantId,
      userId: this.scope.userId,
      seq,
      method: input.method,
      path: input.path,
      body: input.body,
      idempotencyKey: crypto.randomUUID(),
      createdAt: new Date().toISOString(),
      state: 'pending',
      attempts: 0,
      dependsOn: [...(input.dependsOn ?? [])],
      ...(input.label ? { label: input.label } : {}),
    };
    await meta.put(seq, 'seq');
    await outbox.put(entry);
    await tx.done;
    this.changed();
    return entry;
  }

  /** Return all entries in seq order. */
  async list(): Promise<OutboxEntry[]> {
    const db = await openUserDb(this.scope);
    return db.getAllFromIndex('outbox', 'seq');
  }

  /** Return one entry by its temporary id. */
  async get(id: string): Promise<OutboxEntry | undefined> {
    return (await openUserDb(this.scope)).get('outbox', id);
  }

  /** Count entries that have not reached the server yet (pending, sending or failed). */
  async countUnsent(): Promise<{ pending: number; failed: number }> {
    const entries = await this.list();
    return {
      pending: entries.filter((e) => e.state === 'pending' || e.state === 'sending').length,
      failed: entries.filter((e) => e.state === 'failed').length,
    };
  }

  /**
   * Send pending entries in order. A call made while a run is in progress gets one follow-up run after
   * it (shared by every call made meanwhile): the current run may have read the outbox before an entry was
   * added or retried, and that entry must not wait for the next trigger.
   */
  replay(): Promise<ReplayReport> {
    if (this.running) {
      if (!this.followUp) {
        const next = () => {
          this.followUp = null;
          return this.replay();
        };
        this.followUp = this.running.then(next, next);
      }
      return this.followUp;
    }
    const run = () => this.replayLocked();
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    // One tab at a time replays a user's outbox; other tabs' calls wait and then find nothing to do.
    const lockName = `gestiq-outbox:${this.scope.tenantId}:${this.scope.userId}`;
    const task: Promise<ReplayReport> = locks ? locks.request(lockName, run).then((report) => report) : run();
    const running = task.finally(() => {
      this.running = null;
    });
    this.running = running;
    return running;
  }

  private async replayLocked(): Promise<ReplayReport> {
    const db = await openUserDb(this.scope);
    const entries = await db.getAllFromIndex('outbox', 'seq');
    const byId = new Map(entries.map((entry) => [entry.id, entry]));
    const report: ReplayReport = { sent: 0, failed: 0, remaining: 0 };

    const save = async (entry: OutboxEntry) => {
      byId.set(entry.id, entry);
      await db.put('outbox', entry);
      this.changed();
    };

    for (const original of entries) {
      if (report.stoppedBy) break;
      if (original.state === 'done' || original.state === 'failed') continue;
      // 'sending' here means a previous run died mid-request: send again with the same key.
      let entry: OutboxEntry = { ...original, state: 'pending' };

      const ids = new Map<string, string>();
      let blocker: { id: string; problem: Problem } | undefined;
      for (const dependencyId of entry.dependsOn) {
        const dependency = byId.get(dependencyId);
        if (!dependency) {
          blocker = {
            id: dependencyId,
            problem: { type: DEPENDENCY_MISSING, title: 'La operación de la que depende ya no existe', status: 0 },
          };
        } else if (dependency.state === 'failed') {
          blocker = {
            id: dependencyId,
            problem: {
              type: DEPENDENCY_FAILED,
              title: 'Depende de una operación que falló',
              status: 0,
              detail: dependency.label ?? `${dependency.method} ${dependency.path}`,
            },
          };
        } else if (dependency.state === 'done' && dependency.serverId !== undefined) {
          ids.set(dependencyId, dependency.serverId);
        } else if (dependency.state === 'done') {
          blocker = {
            id: dependencyId,
            problem: { type: DEPENDENCY_MISSING, title: 'El servidor no devolvió el id de la operación previa', status: 0 },
          };
        } else {
          // Cannot happen while dependencies precede dependents in seq order; never send a temporary id.
          report.stoppedBy = 'server';
          break;
        }
        if (blocker) break;
      }
      if (report.stoppedBy) break;
      if (blocker) {
        await save({ ...entry, state: 'failed', error: blocker.problem, blockedBy: blocker.id });
        report.failed += 1;
        continue;
      }

      entry = { ...entry, state: 'sending', attempts: entry.attempts + 1, lastAttemptAt: new Date().toISOString() };
      await save(entry);
      try {
        const result = await this.sendRequest(rewriteIds(entry.path, ids), {
          method: entry.method,
          body: rewriteIds(entry.body, ids),
          idempotencyKey: entry.idempotencyKey,
        });
        const { error: _previous, blockedBy: _blocked, ...rest } = entry;
        const serverId = serverIdOf(result.data);
        await save({
          ...rest,
          state: 'done',
          response: { status: result.status, body: result.data, requestId: result.requestId },
          ...(serverId !== undefined ? { serverId } : {}),
        });
        report.sent += 1;
      } catch (error) {
        if (error instanceof NetworkError) {
          await save({
            ...entry,
            state: 'pending',
            error: { type: NETWORK_PROBLEM, title: 'Sin conexión', status: 0, request_id: error.requestId },
          });
          report.stoppedBy = 'network';
        } else if (error instanceof ApiError && isRetryable(error)) {
          await save({ ...entry, state: 'pending', error: error.toProblem() });
          report.stoppedBy = error.status === 401 ? 'session' : 'server';
        } else if (error instanceof ApiError) {
          await save({ ...entry, state: 'failed', error: error.toProblem() });
          report.failed += 1;
        } else {
          await save({ ...entry, state: 'pending' });
          throw error;
        }
      }
    }

    report.remaining = [...byId.values()].filter((e) => e.state === 'pending' || e.state === 'sending').length;
    await this.pruneDone(db);
    return report;
  }

  private async pruneDone(db: Awaited<ReturnType<typeof openUserDb>>): Promise<void> {
    const entries = await db.getAll('outbox');
    const needed = new Set(entries.filter((e) => e.state !== 'done').flatMap((e) => e.dependsOn));
    const cutoff = Date.now() - DONE_RETENTION_MS;
    for (const entry of entries) {
      const finishedAt = Date.parse(entry.lastAttemptAt ?? entry.createdAt);
      if (entry.state === 'done' && !needed.has(entry.id) && finishedAt < cutoff) {
        await db.delete('outbox', entry.id);
      }
    }
  }

  /**
   * Put a failed entry back to pending, together with the entries it blocked (transitively).
   * The Idempotency-Key is kept. Returns the ids that were reset; the caller then calls replay().
   */
  async retry(id: string): Promise<string[]> {
    const db = await openUserDb(this.scope);
    const tx = db.transaction('outbox', 'readwrite');
    const all = await tx.store.getAll();
    const target = all.find((e) => e.id === id);
    if (!target || target.state !== 'failed') {
      abortQuietly(tx);
      throw new Error('Only failed entries can be retried');
    }
    const reset = new Set([id]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const entry of all) {
        if (!reset.has(entry.id) && entry.state === 'failed' && entry.blockedBy && reset.has(entry.blockedBy)) {
          reset.add(entry.id);
          grew = true;
        }
      }
    }
    for (const entry of all) {
      if (!reset.has(entry.id)) continue;
      const { error: _error, blockedBy: _blockedBy, ...rest } = entry;
      await tx.store.put({ ...rest, state: 'pending' });
    }
    await tx.done;
    this.changed();
    return [...reset];
  }

  /**
   * Delete a pending or failed entry and every entry that depends on it (they could never be sent).
   * Returns the ids deleted.
   */
  async discard(id: string): Promise<string[]> {
    const db = await openUserDb(this.scope);
    const tx = db.transaction('outbox', 'readwrite');
    const all = await tx.store.getAll();
    const target = all.find((e) => e.id === id);
    if (!target || (target.state !== 'pending' && target.state !== 'failed')) {
      abortQuietly(tx);
      throw new Error('Only pending or failed entries can be discarded');
    }
    const doomed = new Set([id]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const entry of all) {
        if (!doomed.has(entry.id) && entry.state !== 'done' && entry.dependsOn.some((d) => doomed.has(d))) {
          doomed.add(entry.id);
          grew = true;
        }
      }
    }
    for (const doomedId of doomed) await tx.store.delete(doomedId);
    await tx.done;
    this.changed();
    return [...doomed];
  }

  /** Return the ids of entries that would be discarded with this one (for the confirmation). */
  async dependentsOf(id: string): Promise<string[]> {
    const all = await this.list();
    const found = new Set([id]);
    for (const entry of all) {
      if (entry.dependsOn.some((d) => found.has(d))) found.add(entry.id);
    }
    found.delete(id);
    return [...found];
  }
}
