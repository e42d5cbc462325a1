/**
 * Session bootstrap and what the device remembers between visits.
 *
 * The last signed-in user's profile is kept in localStorage so the app can open offline (the outbox and
 * cache are keyed by that user). It holds only what `me` returns (id, name, e-mail, role, tenant) and
 * is deleted on logout together with the user's IndexedDB database.
 */
import { me } from './api/auth';
import { ApiError, NetworkError } from './api/http';
import type { User } from './api/types';
import type { Language } from './i18n';

const LAST_USER_KEY = 'gestiq:last-user';
const TENANT_SLUG_KEY = 'gestiq:tenant-slug';
const LANGUAGE_KEY = 'gestiq:language';

export type SessionState =
  | { status: 'loading' }
  | { status: 'anonymous'; notice?: 'expired' }
  | { status: 'authenticated'; user: User; offline: boolean };

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // storage disabled by the browser
  }
}

/** Return the remembered user, if any. */
export function loadLastUser(): User | null {
  const raw = storage()?.getItem(LAST_USER_KEY);
  if (!raw) return null;
  try {
    const user = JSON.parse(raw) as User;
    return user && user.id && user.tenant?.id ? user : null;
  } catch {
    return null;
  }
}

/** Remember the signed-in user for offline starts. */
export function saveLastUser(user: User): void {
  storage()?.setItem(LAST_USER_KEY, JSON.stringify(user));
}

/** Forget the remembered user (logout). */
export function clearLastUser(): void {
  storage()?.removeItem(LAST_USER_KEY);
}

/** Return the last tenant slug typed at login (not personal: it names the company). */
export function loadTenantSlug(): string {
  return storage()?.getItem(TENANT_SLUG_KEY) ?? '';
}

/** Remember the tenant slug for the next login. */
export function saveTenantSlug(slug: string): void {
  storage()?.setItem(TENANT_SLUG_KEY, slug);
}

/** Return the UI language the user chose, if any. */
export function loadLanguage(): Language | null {
  const value = storage()?.getItem(LANGUAGE_KEY);
  return value === 'en' || value === 'es' ? value : null;
}

/** Remember the UI language. */
export function saveLanguage(language: Language): void {
  storage()?.setItem(LANGUAGE_KEY, language);
}

/**
 * Find out who is signed in: ask the server; if it cannot be reached, fall back to the remembered user
 * (offline start); if it says 401 (after one refresh), nobody is.
 */
export async function startSession(): Promise<SessionState> {
  try {
    const user = await me();
    saveLastUser(user);
    return { status: 'authenticated', user, offline: false };
  } catch (error) {
    // Unreachable or failing server: keep working with the remembered user, if any.
    if (error instanceof NetworkError || (error instanceof ApiError && error.status >= 500)) {
      const user = loadLastUser();
      return user ? { status: 'authenticated', user, offline: true } : { status: 'anonymous' };
    }
    if (error instanceof ApiError) return { status: 'anonymous' };
    throw error;
  }
}
