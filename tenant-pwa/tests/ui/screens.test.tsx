// @vitest-environment happy-dom
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { configureHttp, resetHttp } from '../../src/api/http';
import type { User } from '../../src/api/types';
import { closeAllUserDbs } from '../../src/offline/db';
import { Outbox } from '../../src/offline/outbox';
import { App } from '../../src/ui/App';
import { createFakeFetch, json, problem, type RecordedCall } from '../helpers/fake-fetch';

const user: User = {
  id: 'u1',
  email: 'ana@example.test',
  name: 'Ana Pérez',
  role: 'owner',
  permissions: ['customers:read', 'customers:write', 'invoices:read', 'invoices:write', 'invoices:issue', 'products:read'],
  tenant: { id: 't1', slug: 'acme', name: 'Acme SL', country: 'ES', locale: 'es-ES', currency: 'EUR', modules: ['crm', 'sales'] },
};
const CUSTOMER = { id: 'c-1', legal_name: 'Ferretería Olmo SL', tax_id: '12345678Z', country: 'ES', email: null, version: 1 };
const page = (items: unknown[]) => ({ items, total: items.length, page: 1, page_size: 25, pages: 1 });

type Route = (call: RecordedCall) => Response | Promise<Response> | undefined;
let container: HTMLElement;
let routes: Route[];
let calls: RecordedCall[];

function serve(route: Route) {
  routes.unshift(route);
}

async function settle(ms = 0) {
  await act(async () => {
    await new Promise((resolve) => setTimeout(resolve, ms));
  });
}

async function waitFor<T>(check: () => T, timeoutMs = 15000): Promise<T> {
  const started = Date.now();
  for (;;) {
    try {
      return check();
    } catch (error) {
      if (Date.now() - started > timeoutMs) throw error;
      await settle(10);
    }
  }
}

function control<T extends HTMLElement = HTMLInputElement>(label: string, scope: ParentNode = container): T {
  const labelElement = [...scope.querySelectorAll('label')].find((l) => l.textContent === label);
  if (!labelElement) throw new Error(`No label "${label}" in: ${container.textContent}`);
  const element = container.querySelector<T>(`#${CSS.escape(labelElement.htmlFor)}`);
  if (!element) throw new Error(`Label "${label}" points to nothing`);
  return element;
}

function type(label: string, value: string, scope?: ParentNode) {
  const input = control(label, scope);
  act(() => {
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

function choose(label: string, value: string) {
  const select = control<HTMLSelectElement>(label);
  act(() => {
    select.value = value;
    select.dispatchEvent(new Event('change', { bubbles: true }));
  });
}

async function submit(name: string) {
  const button = [...container.querySelectorAll('button')].find((b) => b.textContent?.trim() === name);
  if (!button) throw new Error(`No button "${name}"`);
  await act(async () => {
    button.closest('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
  });
  await settle();
}

async function start(path: string) {
  window.history.replaceState(null, '', path);
  await act(async () => {
    render(<App />, container);
  });
  await settle();
}

let online = true;
beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
  localStorage.clear();
  online = true;
  vi.spyOn(navigator, 'onLine', 'get').mockImplementation(() => online);
  routes = [
    (call) => {
      if (call.url.endsWith('/auth/me')) return json(200, user);
      if (call.url.includes('/api/v1/customers?') && call.method === 'GET') return json(200, page([CUSTOMER]));
      if (call.url.includes('/api/v1/products?')) return json(200, page([]));
      if (call.url.includes('/api/v1/invoices?')) return json(200, page([]));
      return undefined;
    },
  ];
  const fake = createFakeFetch(async (call) => {
    if (!online) throw new TypeError('Failed to fetch');
    for (const route of routes) {
      const response = await route(call);
      if (response) return response;
    }
    return problem(404, 'No encontrado');
  });
  calls = fake.calls;
  configureHttp({ fetch: fake.fetch, readCookie: () => 'csrf' });
  container = document.createElement('div');
  document.body.appendChild(container);
});

afterEach(async () => {
  await act(async () => render(null, container));
  container.remove();
  await closeAllUserDbs();
  resetHttp();
});

describe('customer form', () => {
  it('offers the tax id types of the chosen country', async () => {
    await start('/app/customers/new');
    await waitFor(() => control<HTMLSelectElement>('Tipo de identificación'));
    const options = () => [...control<HTMLSelectElement>('Tipo de identificación').options].map((o) => o.value);
    expect(options()).toEqual(['', 'nif', 'nie', 'cif', 'vat_eu', 'passport']);
    choose('País', 'EC');
    expect(options()).toEqual(['', 'cedula', 'ruc', 'passport', 'consumidor_final']);
  });

  it("shows the server's Spanish field errors from problem+json and leaves nothing in the outbox", async () => {
    serve((call) =>
      call.method === 'POST' && call.url.endsWith('/api/v1/customers')
        ? problem(422, 'Revise los campos marcados.', { errors: { tax_id: ['NIF no válido: la letra de control no coincide.'] }, request_id: 'req-9' })
        : undefined,
    );
    await start('/app/customers/new');
    await waitFor(() => control('Razón social'));
    await submit('Guardar');
    expect(control('Razón social').getAttribute('aria-invalid')).toBe('true');
    expect(container.querySelector('#legal_name-error')?.textContent).toBe('Este campo es obligatorio.');
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);

    type('Razón social', 'Ana SL');
    type('Identificación fiscal', '12345678A');
    await submit('Guardar');
    await waitFor(() => expect(container.querySelector('#tax_id-error')?.textContent).toBe('NIF no válido: la letra de control no coincide.'));
    expect(container.querySelector('[role="alert"]')?.textContent).toContain('Referencia: req-9');
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.body).toEqual({ legal_name: 'Ana SL', tax_id: '12345678A', country: 'ES' });
    expect(new Headers(post.headers).get('Idempotency-Key')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await new Outbox({ tenantId: 't1', userId: 'u1' }).list()).toEqual([]);
  });

  it('queues a customer created offline and lists it as pending', async () => {
    localStorage.setItem('gestiq:last-user', JSON.stringify(user));
    await start('/app/customers/new');
    await waitFor(() => control('Razón social'));
    online = false;
    type('Razón social', 'Bea SL');
    type('Identificación fiscal', '00000000T');
    await submit('Guardar');
    await waitFor(() => expect(container.textContent).toContain('Guardado en este dispositivo'));
    expect(window.location.pathname).toBe('/app/customers');
    await waitFor(() => expect(container.querySelector('.row--pending')?.textContent).toBe('Bea SL Pendiente00000000TES'));
    const [entry] = await new Outbox({ tenantId: 't1', userId: 'u1' }).list();
    expect(entry).toMatchObject({ method: 'POST', path: '/api/v1/customers', state: 'pending', label: 'Cliente: Bea SL' });
  });
});

describe('invoice editor', () => {
  it('asks for live totals once the typing settles and shows them in the tenant locale', async () => {
    serve((call) =>
      call.url.endsWith('/api/v1/invoices/preview')
        ? json(200, {
            currency: 'EUR',
            subtotal: '1234.50',
            tax_total: '259.25',
            recargo_total: '0.00',
            withholding_total: '0.00',
            total: '1493.75',
            lines: [{ base_amount: '1234.50' }],
            taxes: [{ tax_type: 'iva', rate: '21.0000', amount: '259.25', base: '1234.50', category: 'general' }],
          })
        : undefined,
    );
    await start('/app/invoices/new');
    await waitFor(() => expect(control<HTMLSelectElement>('Cliente').options.length).toBe(2));
    choose('Cliente', 'c-1');
    type('Descripción', 'Reforma');
    for (const value of ['1', '12', '123', '1234', '1234,5']) type('Precio', value);
    await waitFor(() => expect(container.querySelector('[data-total=total]')?.textContent).toBe('1.493,75\u00a0€'));
    const previews = calls.filter((c) => c.url.endsWith('/invoices/preview'));
    expect(previews).toHaveLength(1);
    expect(previews[0]!.body).toEqual({
      customer_id: 'c-1',
      lines: [{ description: 'Reforma', quantity: '1', unit_price: '1234.5', tax_category: 'general' }],
    });
    expect(container.querySelector('[data-total=subtotal]')?.textContent).toBe('1.234,50\u00a0€');
    expect(container.querySelector('.totals')?.textContent).toContain('IVA 21 %259,25\u00a0€');
  });

  it('marks a price that is not a number without calling the server', async () => {
    await start('/app/invoices/new');
    await waitFor(() => expect(control<HTMLSelectElement>('Cliente').options.length).toBe(2));
    choose('Cliente', 'c-1');
    type('Descripción', 'Reforma');
    type('Precio', 'doce');
    await submit('Guardar borrador');
    const price = control('Precio');
    expect(price.getAttribute('aria-invalid')).toBe('true');
    expect(container.querySelector(`#${CSS.escape(price.id)}-error`)?.textContent).toBe('Escribe un número (p. ej. 12,50).');
    expect(calls.filter((c) => c.method !== 'GET')).toEqual([]);
  });
});
