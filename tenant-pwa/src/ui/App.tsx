/**
 * The application: session (bootstrap, login, logout, expiry), locale, and routing between the public
 * screens (login, password reset, invitation) and the signed-in shell.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { logout as apiLogout } from '../api/auth';
import { httpEvents } from '../api/http';
import type { User } from '../api/types';
import { createI18n, resolveLocale, type Language } from '../i18n';
import { clearUserData } from '../offline/db';
import { Outbox } from '../offline/outbox';
import { navigate, useRoute } from '../router';
import {
  clearLastUser,
  loadLanguage,
  saveLanguage,
  saveLastUser,
  startSession,
  type SessionState,
} from '../session';
import { I18nContext } from './i18n-context';
import { Layout } from './Layout';
import { OfflineProvider } from './offline-context';
import { AcceptInvitation } from './pages/AcceptInvitation';
import { Login } from './pages/Login';
import { PasswordResetConfirm, PasswordResetRequest } from './pages/PasswordReset';
import { SignedInScreen } from './screens';
import { UserContext } from './user-context';

const PUBLIC_PATHS = new Set(['/login', '/password-reset', '/password-reset/confirm', '/invitations/accept']);

export interface AppProps {
  /** Injected in tests; defaults to asking the server (with the offline fallback). */
  bootstrap?: () => Promise<SessionState>;
}

export function App({ bootstrap = startSession }: AppProps) {
  const route = useRoute();
  const [session, setSession] = useState<SessionState>({ status: 'loading' });
  const [language, setLanguage] = useState<Language | null>(loadLanguage);
  const [offlineReady, setOfflineReady] = useState(false);
  const user = session.status === 'authenticated' ? session.user : null;
  const locale = resolveLocale(language, user?.tenant.locale);
  const i18n = useMemo(() => createI18n(locale), [locale]);

  useEffect(() => {
    let cancelled = false;
    bootstrap().then(
      (state) => !cancelled && setSession(state),
      () => !cancelled && setSession({ status: 'anonymous' }),
    );
    return () => {
      cancelled = true;
    };
  }, [bootstrap]);

  useEffect(() => {
    document.documentElement.lang = i18n.language;
  }, [i18n.language]);

  // A refused refresh anywhere sends the user back to login; their outbox stays for the next login.
  useEffect(() => {
    const onExpired = () =>
      setSession((current) => (current.status === 'authenticated' ? { status: 'anonymous', notice: 'expired' } : current));
    httpEvents.addEventListener('session-expired', onExpired);
    return () => httpEvents.removeEventListener('session-expired', onExpired);
  }, []);

  // A session restored offline is checked again with the server as soon as it is reachable.
  const isOfflineSession = session.status === 'authenticated' && session.offline;
  useEffect(() => {
    if (!isOfflineSession) return undefined;
    let checking = false;
    const recheck = () => {
      if (checking) return;
      checking = true;
      bootstrap()
        .then((state) => {
          if (state.status === 'authenticated' && !state.offline) setSession(state);
          else if (state.status === 'anonymous') setSession({ status: 'anonymous', notice: 'expired' });
        })
        .catch(() => undefined)
        .finally(() => {
          checking = false;
        });
    };
    window.addEventListener('online', recheck);
    httpEvents.addEventListener('network-ok', recheck);
    return () => {
      window.removeEventListener('online', recheck);
      httpEvents.removeEventListener('network-ok', recheck);
    };
  }, [isOfflineSession, bootstrap]);

  useEffect(() => {
    const onReady = () => setOfflineReady(true);
    window.addEventListener('gestiq:offline-ready', onReady);
    return () => window.removeEventListener('gestiq:offline-ready', onReady);
  }, []);

  // Move focus to the new screen's heading on navigation (not on the first render).
  const firstRender = useRef(true);
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    document.querySelector<HTMLElement>('[data-autofocus]')?.focus();
  }, [route.path, session.status]);

  // Signed in and on /login (a bookmark, the back button): go to the dashboard.
  const isSignedIn = session.status === 'authenticated';
  useEffect(() => {
    if (isSignedIn && route.path === '/login') navigate('/', { replace: true });
  }, [isSignedIn, route.path]);

  const onAuthenticated = useCallback((signedIn: User) => {
    saveLastUser(signedIn);
    setSession({ status: 'authenticated', user: signedIn, offline: false });
    if (PUBLIC_PATHS.has(window.location.pathname.replace(/^\/app/, ''))) navigate('/', { replace: true });
  }, []);

  const onLogout = useCallback(async () => {
    if (!user) return;
    const scope = { tenantId: user.tenant.id, userId: user.id };
    const unsent = await new Outbox(scope).countUnsent().catch(() => ({ pending: 0, failed: 0 }));
    const count = unsent.pending + unsent.failed;
    if (count > 0 && !window.confirm(i18n.plural('user.logoutUnsent', count))) return;
    try {
      await apiLogout();
    } catch {
      // Offline or already expired: the local data is removed anyway.
    }
    setSession({ status: 'anonymous' });
    clearLastUser();
    await clearUserData(scope).catch(() => undefined);
    navigate('/login', { replace: true });
  }, [user, i18n]);

  const onLanguage = useCallback((next: Language) => {
    saveLanguage(next);
    setLanguage(next);
  }, []);

  let screen;
  if (session.status === 'loading') {
    screen = (
      <main class="splash" id="main" aria-busy="true">
        <p>{i18n.t('app.loading')}</p>
      </main>
    );
  } else if (route.path === '/password-reset') {
    screen = <PasswordResetRequest />;
  } else if (route.path === '/password-reset/confirm') {
    screen = <PasswordResetConfirm />;
  } else if (route.path === '/invitations/accept') {
    screen = <AcceptInvitation onAuthenticated={onAuthenticated} />;
  } else if (session.status === 'anonymous') {
    // Any other path shows the login form in place; after login the same path renders.
    const notice = session.notice === 'expired' ? i18n.t('status.sessionExpired') : undefined;
    screen = <Login onAuthenticated={onAuthenticated} notice={notice} />;
  } else {
    screen = (
      <OfflineProvider user={session.user}>
        <Layout user={session.user} offlineSession={session.offline} onLogout={onLogout} onLanguage={onLanguage}>
          <UserContext.Provider value={session.user}>
            <SignedInScreen path={route.path} modules={session.user.tenant.modules} />
          </UserContext.Provider>
        </Layout>
      </OfflineProvider>
    );
  }

  return (
    <I18nContext.Provider value={i18n}>
      {screen}
      {offlineReady && (
        <div class="toast" role="status">
          <span>{i18n.t('app.offlineReady')}</span>
          <button type="button" class="button" onClick={() => setOfflineReady(false)}>
            {i18n.t('app.close')}
          </button>
        </div>
      )}
    </I18nContext.Provider>
  );
}
