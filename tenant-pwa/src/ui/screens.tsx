/**
 * The signed-in screens, each loaded on first use (one chunk per screen, `import()`), so the first load
 * stays small. The service worker precaches every chunk, so they open offline too.
 */
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { navItemFor } from '../modules';
import { useI18n } from './i18n-context';
import { OutboxPage } from './pages/OutboxPage';
import { ModuleDisabled, NotFound, Placeholder } from './pages/Placeholder';

type Loader<P> = () => Promise<ComponentType<P>>;

/** Wrap a dynamic import as a component that shows "loading" until its chunk has arrived. */
export function lazyScreen<P extends object>(load: Loader<P>): ComponentType<P> {
  let loaded: ComponentType<P> | null = null;
  let loading: Promise<ComponentType<P>> | null = null;
  return function LazyScreen(props: P) {
    const i18n = useI18n();
    const [component, setComponent] = useState<ComponentType<P> | null>(() => loaded);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (component) return undefined;
      let active = true;
      loading ??= load().then((found) => (loaded = found));
      loading.then(
        (found) => active && setComponent(() => found),
        () => {
          loading = null;
          if (active) setFailed(true);
        },
      );
      return () => {
        active = false;
      };
    }, [component]);
    if (failed) return <p role="alert">{i18n.t('error.unexpected')}</p>;
    if (!component) return <p aria-busy="true">{i18n.t('app.loading')}</p>;
    const Screen = component;
    return <Screen {...props} />;
  };
}

const Dashboard = lazyScreen(() => import('./pages/Dashboard').then((m) => m.DashboardPage));
const Parties = lazyScreen(() => import('./pages/Parties').then((m) => m.PartiesPage));
const PartyForm = lazyScreen(() => import('./pages/Parties').then((m) => m.PartyFormPage));
const Products = lazyScreen(() => import('./pages/Products').then((m) => m.ProductsPage));
const ProductForm = lazyScreen(() => import('./pages/Products').then((m) => m.ProductFormPage));
const Documents = lazyScreen(() => import('./pages/Documents').then((m) => m.DocumentsPage));
const DocumentEditor = lazyScreen(() => import('./pages/Documents').then((m) => m.DocumentEditor));
const DocumentDetail = lazyScreen(() => import('./pages/Documents').then((m) => m.DocumentDetail));
const Settings = lazyScreen(() => import('./pages/Settings').then((m) => m.SettingsPage));

/** Pick the screen for a path ("/customers/new", "/invoices/<id>/edit"...). */
export function SignedInScreen({ path, modules }: { path: string; modules: string[] }) {
  if (path === '/outbox') return <OutboxPage />;
  const item = navItemFor(path);
  if (item?.module && !modules.includes(item.module)) return <ModuleDisabled />;
  const parts = path.split('/').filter(Boolean);
  const [section, id, action] = parts;
  if (!section || path === '/login') return <Dashboard />;
  if (section === 'customers' || section === 'suppliers') {
    if (!id) return <Parties key={section} kind={section} />;
    if (parts.length === 2) return <PartyForm key={path} kind={section} {...(id === 'new' ? {} : { id })} />;
  }
  if (section === 'products') {
    if (!id) return <Products />;
    if (parts.length === 2) return <ProductForm key={path} {...(id === 'new' ? {} : { id })} />;
  }
  if (section === 'invoices' || section === 'quotes') {
    if (!id) return <Documents key={section} kind={section} />;
    if (id === 'new' && parts.length === 2) return <DocumentEditor key={path} kind={section} />;
    if (parts.length === 2) return <DocumentDetail key={path} kind={section} id={id} />;
    if (action === 'edit' && parts.length === 3) return <DocumentEditor key={path} kind={section} id={id} />;
  }
  if (section === 'settings' && !id) return <Settings />;
  if (item && parts.length === 1) return <Placeholder titleKey={item.labelKey} />;
  return <NotFound />;
}
