import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { User } from '../api/types';
import type { Language } from '../i18n';
import { navItemFor, visibleNavItems } from '../modules';
import { Link, useRoute } from '../router';
import { useConnectivity } from './connectivity';
import { useI18n } from './i18n-context';
import { useOffline } from './offline-context';

export interface LayoutProps {
  user: User;
  /** The session was restored from this device while the server was unreachable. */
  offlineSession: boolean;
  onLogout: () => void;
  onLanguage: (language: Language) => void;
  children: ComponentChildren;
}

/** Header (status, outbox badge, account), navigation filtered by enabled modules, and the page. */
export function Layout({ user, offlineSession, onLogout, onLanguage, children }: LayoutProps) {
  const i18n = useI18n();
  const route = useRoute();
  const [menuOpen, setMenuOpen] = useState(false);
  const items = visibleNavItems(user.tenant.modules);
  const activePath = navItemFor(route.path)?.path;

  useEffect(() => setMenuOpen(false), [route.path]);

  return (
    <div class="shell">
      <a class="skip-link" href="#main">
        {i18n.t('app.skipToContent')}
      </a>
      <header class="topbar">
        <button
          type="button"
          class="topbar__menu button"
          aria-expanded={menuOpen ? 'true' : 'false'}
          aria-controls="main-nav"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          <span aria-hidden="true">☰</span>
          <span class="visually-hidden">{i18n.t('nav.open')}</span>
        </button>
        <Link to="/" class="topbar__brand">
          <img src={`${import.meta.env.BASE_URL}favicon.svg`} alt="" width={28} height={28} />
          <span>{i18n.t('app.name')}</span>
        </Link>
        <span class="topbar__tenant">{user.tenant.name}</span>
        <OutboxBadge />
        <div class="topbar__account">
          <span class="topbar__user">{user.name}</span>
          <label class="visually-hidden" for="language">
            {i18n.t('user.language')}
          </label>
          <select
            id="language"
            class="topbar__language"
            value={i18n.language}
            onChange={(event) => onLanguage(event.currentTarget.value as Language)}
          >
            <option value="es">Español</option>
            <option value="en">English</option>
          </select>
          <button type="button" class="button" onClick={onLogout}>
            {i18n.t('user.logout')}
          </button>
        </div>
      </header>
      <ConnectivityBanner offlineSession={offlineSession} />
      <div class="shell__body">
        <nav id="main-nav" class={`sidenav${menuOpen ? ' sidenav--open' : ''}`} aria-label={i18n.t('nav.label')}>
          <ul>
            {items.map((item) => (
              <li key={item.path}>
                <Link to={item.path} aria-current={item.path === activePath ? 'page' : undefined}>
                  {i18n.t(item.labelKey)}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" class="content" tabIndex={-1}>
          {children}
        </main>
      </div>
    </div>
  );
}

/** Link to the outbox with the number of unsent entries; hidden when there are none. */
function OutboxBadge() {
  const i18n = useI18n();
  const { counts } = useOffline();
  const total = counts.pending + counts.failed;
  if (total === 0) return null;
  return (
    <Link to="/outbox" class={`topbar__outbox${counts.failed ? ' topbar__outbox--failed' : ''}`}>
      {i18n.plural('outbox.badge', total)}
    </Link>
  );
}

/** "Offline" / "server unreachable" banner, announced politely. */
export function ConnectivityBanner({ offlineSession = false }: { offlineSession?: boolean }) {
  const i18n = useI18n();
  const { online, serverReachable } = useConnectivity();
  let message: string | null = null;
  if (!online) message = i18n.t('status.offline');
  else if (!serverReachable) message = i18n.t('status.serverUnreachable');
  else if (offlineSession) message = i18n.t('status.offlineSession');
  return (
    <div class={`connectivity${message ? ' connectivity--shown' : ''}`} role="status" aria-live="polite">
      {message}
    </div>
  );
}
