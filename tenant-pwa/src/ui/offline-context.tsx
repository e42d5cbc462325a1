/**
 * Gives screens the signed-in user's outbox and read cache, keeps the pending/failed counts current and
 * replays the outbox on app start (mount), when the device comes back online, when the tab becomes
 * visible again, and on demand (the "Enviar ahora" button).
 */
import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { User } from '../api/types';
import { ReadCache } from '../offline/cache';
import { api } from '../api/http';
import type { Page } from '../api/resources';
import type { CacheKind, CachedRecord } from '../offline/cache';
import { Outbox, type ReplayReport } from '../offline/outbox';
import { syncAll, syncDrafts } from '../offline/sync';

const SYNC_INTERVAL_MS = 60_000;

/** The cached kinds this user may read: the module must be enabled and the role must grant reading. */
export function readableKinds(user: User): CacheKind[] {
  const modules = new Set(user.tenant.modules);
  const allowed = (permission: string) => !user.permissions || user.permissions.includes(permission);
  const kinds: CacheKind[] = [];
  if (modules.has('crm') && allowed('customers:read')) kinds.push('customers');
  if (modules.has('sales') && allowed('products:read')) kinds.push('products');
  if (modules.has('sales') && allowed('invoices:read')) kinds.push('invoices');
  return kinds;
}

export interface OfflineState {
  outbox: Outbox | null;
  cache: ReadCache | null;
  /** False when IndexedDB cannot be used (e.g. disabled storage). */
  available: boolean;
  counts: { pending: number; failed: number };
  replaying: boolean;
  lastReport: ReplayReport | null;
  replay: () => Promise<ReplayReport | null>;
}

const OfflineContext = createContext<OfflineState>({
  outbox: null,
  cache: null,
  available: false,
  counts: { pending: 0, failed: 0 },
  replaying: false,
  lastReport: null,
  replay: async () => null,
});

/** Return the outbox, cache and sync state of the signed-in user. */
export function useOffline(): OfflineState {
  return useContext(OfflineContext);
}

export function OfflineProvider({ user, children }: { user: User; children: ComponentChildren }) {
  const scope = useMemo(() => ({ tenantId: user.tenant.id, userId: user.id }), [user.tenant.id, user.id]);
  const outbox = useMemo(() => new Outbox(scope), [scope]);
  const cache = useMemo(() => new ReadCache(scope), [scope]);
  const [available, setAvailable] = useState(true);
  const [counts, setCounts] = useState({ pending: 0, failed: 0 });
  const [replaying, setReplaying] = useState(false);
  const [lastReport, setLastReport] = useState<ReplayReport | null>(null);

  const refreshCounts = useCallback(() => {
    outbox.countUnsent().then(setCounts, () => setAvailable(false));
  }, [outbox]);

  const kinds = useMemo(() => readableKinds(user), [user]);
  const lastSync = useRef(0);
  const replay = useCallback(async () => {
    setReplaying(true);
    try {
      const report = await outbox.replay();
      setLastReport(report);
      // Refresh the read cache once the queued writes are in (their results belong in it); at most once
      // a minute unless this replay sent something (the tab becoming visible must not re-download it all).
      const due = report.sent > 0 || Date.now() - lastSync.current > SYNC_INTERVAL_MS;
      if (!report.stoppedBy && navigator.onLine && due) {
        lastSync.current = Date.now();
        void syncAll(cache, kinds, (path, query) => api.get<Page<CachedRecord>>(path, { query }))
          .then((counts) => (counts.invoices !== undefined ? syncDrafts(cache, (id) => api.get<CachedRecord>(`/invoices/${id}`)) : 0))
          .catch(() => undefined);
      }
      return report;
    } catch {
      setAvailable(false);
      return null;
    } finally {
      setReplaying(false);
      refreshCounts();
    }
  }, [outbox, cache, kinds, refreshCounts]);

  useEffect(() => {
    const onChange = () => refreshCounts();
    outbox.events.addEventListener('change', onChange);
    refreshCounts();
    void replay(); // app start / sign-in
    const onOnline = () => void replay();
    const onVisible = () => {
      if (document.visibilityState === 'visible' && navigator.onLine) void replay();
    };
    window.addEventListener('online', onOnline);
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      outbox.events.removeEventListener('change', onChange);
      window.removeEventListener('online', onOnline);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [outbox, refreshCounts, replay]);

  const value = useMemo(
    () => ({ outbox, cache, available, counts, replaying, lastReport, replay }),
    [outbox, cache, available, counts, replaying, lastReport, replay],
  );
  return <OfflineContext.Provider value={value}>{children}</OfflineContext.Provider>;
}
