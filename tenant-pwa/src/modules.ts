/**
 * Navigation entries and the tenant module that enables each one. The keys must match the module keys
 * the backend puts in `user.tenant.modules` (its per-tenant module switches, ARCHITECTURE §1 tenancy/);
 * entries without a module are always shown.
 */
import type { MessageKey } from './i18n';

export interface NavItem {
  path: string;
  labelKey: MessageKey;
  module?: string;
}

export const NAV_ITEMS: readonly NavItem[] = [
  { path: '/', labelKey: 'nav.dashboard' },
  { path: '/customers', labelKey: 'nav.customers', module: 'crm' },
  { path: '/suppliers', labelKey: 'nav.suppliers', module: 'crm' },
  { path: '/products', labelKey: 'nav.products', module: 'sales' },
  { path: '/invoices', labelKey: 'nav.invoices', module: 'sales' },
  { path: '/quotes', labelKey: 'nav.quotes', module: 'sales' },
  { path: '/purchases', labelKey: 'nav.purchases', module: 'purchases' },
  { path: '/imports', labelKey: 'nav.imports', module: 'imports' },
  { path: '/reports', labelKey: 'nav.reports', module: 'accounting' },
  { path: '/settings', labelKey: 'nav.settings' },
];

/** Return the entries visible for the tenant's enabled modules. */
export function visibleNavItems(modules: readonly string[]): NavItem[] {
  const enabled = new Set(modules);
  return NAV_ITEMS.filter((item) => !item.module || enabled.has(item.module));
}

/** Return the nav entry that owns a path ("/invoices/123" -> invoices), if any. */
export function navItemFor(path: string): NavItem | undefined {
  if (path === '/') return NAV_ITEMS[0];
  return NAV_ITEMS.find((item) => item.path !== '/' && (path === item.path || path.startsWith(`${item.path}/`)));
}
