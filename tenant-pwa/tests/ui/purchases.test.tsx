// @vitest-environment happy-dom
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { configureHttp, resetHttp } from '../../src/api/http';
import type { User } from '../../src/api/types';
import { closeAllUserDbs } from '../../src/offline/db';
import { App } from '../../src/ui/App';
import { createFakeFetch, json, problem, type RecordedCall } from '../helpers/fake-fetch';

const user: User = {
  id: 'u1',
  email: 'ana@example.test',
  name: 'Ana Pérez',
  role: 'owner',
  permissions: ['suppliers:read', 'purchases:read', 'purchases:write', 'imports:read', 'imports:write'],
  tenant: { id: 't1', slug: 'acme', name: 'Acme SL', country: 'ES', locale: 'es-ES', currency: 'EUR', modules: ['crm', 'purchases', 'imports'] },
};
const SUPPLIER = { id: 's-1', legal_name: 'Papelería Norte SL', tax_id: '87654321X', country: 'ES', version: 1 };
const page = (items: unknown[]) => ({ items, total: items.length, page: 1, page_size: 25, pages: 1 });

type Route = (call: RecordedCall) => Response | Promise<Response> | undefined;
let container: HTMLElement;
let routes: Route[];
let calls: RecordedCall[];

async function settle(ms = 0) {
  await act(async () => {
    await new Promise((resolve) => setTimeout(resolve, ms));
  });
}

async function waitFor<T>(check: () => T, timeoutMs = 10000): Promise<T> {
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
  return container.querySelector<T>(`#${CSS.escape(labelElement.htmlFor)}`)!;
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

async function click(name: string) {
  const button = [...container.querySelectorAll('button')].find((b) => b.textContent?.trim() === name);
  if (!button) throw new Error(`No button "${name}" in: ${container.textContent}`);
  await act(async () => {
    button.click();
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

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
  localStorage.clear();
  vi.spyOn(navigator, 'onLine', 'get').mockImplementation(() => true);
  routes = [
    (call) => {
      if (call.url.endsWith('/auth/me')) return json(200, user);
      if (call.url.includes('/api/v1/suppliers?')) return json(200, page([SUPPLIER]));
      return undefined;
    },
  ];
  const fake = createFakeFetch(async (call) => {
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

describe('supplier invoice editor', () => {
  it('estimates the base exactly while typing, then saves and records through the outbox in order', async () => {
    const saved = { id: 'p-1', status: 'draft', supplier_number: 'F-7', lines: [], attachments: [] };
    routes.unshift((call) => {
      if (call.method === 'POST' && call.url.endsWith('/api/v1/purchases/invoices')) return json(201, saved);
      if (call.method === 'POST' && call.url.endsWith('/api/v1/purchases/invoices/p-1/record')) return json(200, { ...saved, status: 'recorded' });
      if (call.method === 'GET' && call.url.endsWith('/api/v1/purchases/invoices/p-1')) return json(200, { ...saved, status: 'recorded', total: '12.10', currency: 'EUR' });
      return undefined;
    });
    await start('/app/purchases/invoices/new');
    await waitFor(() => expect(control<HTMLSelectElement>('Proveedor').options.length).toBe(2));
    choose('Proveedor', 's-1');
    type('Número del proveedor', 'F-7');
    type('Descripción', 'Papel');
    type('Cantidad', '3');
    type('Precio', '0,10');
    type('Descuento %', '12,5');
    // 3 x 0,10 - 12,5 % = 0,2625 -> 0,26
    expect(container.querySelector('[data-total=estimate]')?.textContent).toBe('0,26\u00a0€');
    type('Precio', '4,01');
    expect(container.querySelector('[data-total=estimate]')?.textContent).toBe('10,53\u00a0€'); // 10,52625

    await click('Guardar y registrar');
    await waitFor(() => expect(window.location.pathname).toBe('/app/purchases/invoices/p-1'));
    const writes = calls.filter((c) => c.method !== 'GET');
    expect(writes.map((c) => `${c.method} ${c.url}`)).toEqual([
      'POST /api/v1/purchases/invoices',
      'POST /api/v1/purchases/invoices/p-1/record',
    ]);
    expect(writes[0].body).toEqual({
      supplier_id: 's-1',
      supplier_number: 'F-7',
      issue_date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      lines: [{ description: 'Papel', quantity: '3', unit_price: '4.01', discount_percent: '12.5', tax_category: 'general' }],
    });
    const keys = writes.map((c) => new Headers(c.headers).get('Idempotency-Key'));
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[0]).not.toBe(keys[1]);
    await waitFor(() => expect(container.querySelector('[data-total=total]')?.textContent).toBe('12,10\u00a0€'));
  });

  it('checks required fields locally and sends nothing', async () => {
    await start('/app/purchases/invoices/new');
    await waitFor(() => control('Número del proveedor'));
    type('Precio', 'doce');
    await click('Guardar borrador');
    expect(container.querySelector('#supplier_id-error')?.textContent).toBe('Este campo es obligatorio.');
    expect(container.querySelector('#supplier_number-error')?.textContent).toBe('Este campo es obligatorio.');
    expect([...container.querySelectorAll('.field__error')].map((e) => e.textContent)).toContain('Escribe un número (p. ej. 12,50).');
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });
});

describe('import wizard', () => {
  it('fixes an invalid row in place with only the changed field, and drops it once valid', async () => {
    const batch = { id: 'b-1', kind: 'customers', state: 'validated', source_name: 'c.csv', counts: { valid: 2, invalid: 1, skipped: 0 }, progress: 100 };
    const invalid = {
      id: 'i-3',
      row_number: 3,
      status: 'invalid',
      data: { legal_name: 'Ruiz SA', tax_id: '87654321A' },
      errors: { tax_id: [{ code: 'invalid', message: 'La letra de control del NIF no es correcta' }] },
    };
    let fixed = false;
    routes.unshift((call) => {
      if (call.url.endsWith('/api/v1/imports/batches/b-1'))
        return json(200, fixed ? { ...batch, counts: { valid: 3, invalid: 0, skipped: 0 } } : batch);
      if (call.url.includes('/api/v1/imports/batches/b-1/items?')) return json(200, page(fixed ? [] : [invalid]));
      if (call.method === 'PATCH' && call.url.endsWith('/items/i-3')) {
        fixed = true;
        return json(200, { ...invalid, status: 'valid', data: { ...invalid.data, tax_id: '87654321X' }, errors: {} });
      }
      return undefined;
    });
    await start('/app/imports/b-1');
    await waitFor(() => expect(container.querySelector('p[data-counts]')?.textContent).toBe('2 válidas, 1 con errores, 0 omitidas.'));
    const row = await waitFor(() => {
      const found = container.querySelector<HTMLElement>('[data-row="3"]');
      if (!found) throw new Error('row 3 not shown yet');
      return found;
    });
    expect(control('Identificación fiscal', row).value).toBe('87654321A');
    expect(row.querySelector('.field__error')?.textContent).toBe('La letra de control del NIF no es correcta');
    type('Identificación fiscal', '87654321X', row);
    await click('Guardar corrección');
    await waitFor(() => expect(container.querySelector('[data-row="3"]')).toBeNull());
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ data: { tax_id: '87654321X' } });
    await waitFor(() => expect(container.querySelector('p[data-counts]')?.textContent).toBe('3 válidas, 0 con errores, 0 omitidas.'));
    expect([...container.querySelectorAll('button')].map((b) => b.textContent)).toContain('Importar 3 filas válidas');
  });
});

describe('invoice e-invoicing and void', () => {
  const owner: User = {
    ...user,
    permissions: ['invoices:read', 'invoices:write', 'invoices:void', 'einvoicing:read', 'einvoicing:admin'],
    tenant: { ...user.tenant, modules: ['crm', 'sales', 'einvoicing'] },
  };
  const invoice = {
    id: 'inv-1', kind: 'invoice', status: 'issued', full_number: 'F2026-0007', customer_name: 'Olmo SL', customer_tax_id: '12345678Z',
    issue_date: '2026-11-29', currency: 'EUR', subtotal: '100.00', tax_total: '21.00', total: '121.00', amount_due: '121.00', lines: [],
  };

  it('shows the state, messages and huella; the owner retries and voids with a reason', async () => {
    let voided = false;
    routes.unshift((call) => {
      if (call.url.endsWith('/auth/me')) return json(200, owner);
      if (call.method === 'GET' && call.url.endsWith('/api/v1/invoices/inv-1')) return json(200, voided ? { ...invoice, status: 'voided' } : invoice);
      if (call.method === 'GET' && call.url.endsWith('/api/v1/invoices/inv-1/einvoice'))
        return json(200, { state: 'rejected', channel: 'verifactu', huella: 'ABC123', attempts: 2, max_attempts: 5, messages: [{ code: '1100', message: 'NIF no identificado' }] });
      if (call.method === 'POST' && call.url.endsWith('/api/v1/invoices/inv-1/einvoice/retry'))
        return json(200, { state: 'pending', channel: 'verifactu', huella: 'ABC123', attempts: 2, max_attempts: 5, messages: [] });
      if (call.method === 'POST' && call.url.endsWith('/api/v1/invoices/inv-1/void')) {
        voided = true;
        return json(200, { ...invoice, status: 'voided' });
      }
      return undefined;
    });
    await start('/app/invoices/inv-1');
    const state = await waitFor(() => {
      const found = container.querySelector('[data-einvoice-state]');
      if (!found) throw new Error('no e-invoicing state yet');
      return found;
    });
    expect(state.textContent).toBe('Rechazada');
    expect(container.querySelector('.messages')?.textContent).toBe('1100: NIF no identificado');
    expect(container.textContent).toContain('ABC123');
    expect(container.textContent).toContain('2 / 5');
    expect(container.querySelector('a[href="/api/v1/invoices/inv-1/einvoice/xml"]')?.textContent).toBe('Descargar XML');
    expect(container.querySelector('a[href="/api/v1/invoices/inv-1/ride"]')).toBeNull(); // RIDE is Ecuador's

    await click('Reintentar el envío');
    await waitFor(() => expect(container.querySelector('[data-einvoice-state]')?.textContent).toBe('En cola'));
    expect([...container.querySelectorAll('button')].map((b) => b.textContent)).not.toContain('Reintentar el envío');

    await click('Anular');
    await click('Confirmar la anulación');
    expect(container.querySelector('#void-reason-error')?.textContent).toBe('Este campo es obligatorio.');
    expect(calls.filter((c) => c.url.endsWith('/void'))).toHaveLength(0);
    type('Motivo de la anulación', 'Emitida por error');
    await click('Confirmar la anulación');
    await waitFor(() => expect(container.textContent).toContain('Factura anulada.'));
    expect(calls.find((c) => c.url.endsWith('/void'))?.body).toEqual({ reason: 'Emitida por error' });
    expect(container.querySelector('.badge--status-voided')?.textContent).toBe('Anulada');
    expect([...container.querySelectorAll('button')].map((b) => b.textContent)).not.toContain('Rectificar');
  });
});

describe('Ecuador withholdings', () => {
  it('lists the comprobantes de retención with filters and shows one with its lines', async () => {
    const ecuador: User = { ...user, tenant: { ...user.tenant, country: 'EC', locale: 'es-EC', currency: 'USD' } };
    const withholding = {
      id: 'w-1', number: '001-001-000000012', issue_date: '2026-11-20', supplier_name: 'Importadora Quito SA', supplier_tax_id: '1790012345001',
      fiscal_period: '11/2026', document_id: 'p-9', total: '11.20',
      lines: [
        { kind: 'renta', code: '312', base: '100.00', rate: '1.7500', amount: '1.75' },
        { kind: 'iva', code: '2', base: '12.00', rate: '70.0000', amount: '9.45' },
      ],
    };
    routes.unshift((call) => {
      if (call.url.endsWith('/auth/me')) return json(200, ecuador);
      if (call.url.includes('/api/v1/purchases/withholdings?')) return json(200, page([withholding]));
      if (call.url.endsWith('/api/v1/purchases/withholdings/w-1')) return json(200, withholding);
      return undefined;
    });
    await start('/app/purchases/withholdings');
    await waitFor(() => expect(container.querySelector('a[href="/app/purchases/withholdings/w-1"]')?.textContent).toBe('001-001-000000012'));
    expect(container.querySelector('#pur-status')).toBeNull(); // withholdings have no status filter
    const list = calls.find((c) => c.url.includes('/purchases/withholdings?'))!;
    expect(new URL(list.url, 'http://x').searchParams.get('sort')).toBe('-issue_date');
    expect([...container.querySelectorAll('.tab')].map((a) => a.textContent)).toEqual(['Facturas de proveedor', 'Gastos', 'Retenciones']);

    await act(async () => {
      container.querySelector<HTMLAnchorElement>('a[href="/app/purchases/withholdings/w-1"]')!.click();
    });
    await waitFor(() => expect(container.querySelector('[data-total=total]')?.textContent).toBe('$11,20'));
    expect([...container.querySelectorAll('tbody tr')].map((r) => r.textContent)).toEqual(['renta312$100,001,75 %$1,75', 'iva2$12,0070 %$9,45']);
  });
});
