/**
 * A tiny path router under /app/ (history API). Routes are paths relative to the base ("/customers");
 * links are real <a href="/app/customers"> so opening in a new tab, copying and the service worker's
 * navigateFallback all work.
 */
import type { PartialAnchorHTMLAttributes, ComponentChildren, TargetedMouseEvent } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export const BASE = '/app';
const NAVIGATE_EVENT = 'gestiq:navigate';

export interface Route {
  /** Path relative to /app, always starting with "/" ("/" for the dashboard). */
  path: string;
  query: URLSearchParams;
  hash: string;
}

/** Return the current route from window.location. */
export function currentRoute(): Route {
  const { pathname, search, hash } = window.location;
  let path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  if (!path.startsWith('/')) path = `/${path}`;
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  return { path, query: new URLSearchParams(search), hash: hash.replace(/^#/, '') };
}

/** Return the full URL path of a route ("/customers" -> "/app/customers"). */
export function href(to: string): string {
  return to === '/' ? `${BASE}/` : BASE + to;
}

/** Go to a route; `replace` keeps the history length. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const url = href(to);
  if (options.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

/** Subscribe to route changes (back/forward and navigate()). */
export function useRoute(): Route {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    window.addEventListener('popstate', update);
    window.addEventListener(NAVIGATE_EVENT, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAVIGATE_EVENT, update);
    };
  }, []);
  return route;
}

type AnchorProps = Omit<PartialAnchorHTMLAttributes<HTMLAnchorElement>, 'href' | 'role'> & { to: string; children?: ComponentChildren };

/** An in-app link: a normal anchor whose plain left clicks are handled without reloading. */
export function Link({ to, onClick, ...props }: AnchorProps) {
  const handleClick = (event: TargetedMouseEvent<HTMLAnchorElement>) => {
    if (typeof onClick === 'function') onClick(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    event.preventDefault();
    navigate(to);
  };
  return <a {...props} href={href(to)} onClick={handleClick} />;
}

/**
 * Read a one-time token from the URL fragment (#token=…, preferred: never sent to servers or logs) or
 * the query (?token=…), then remove it from the address bar and history.
 */
export function takeTokenFromUrl(): string | null {
  const { hash, query, path } = currentRoute();
  const token = new URLSearchParams(hash).get('token') ?? query.get('token');
  if (token) window.history.replaceState(null, '', href(path));
  return token;
}
