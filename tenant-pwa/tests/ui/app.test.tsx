// @vitest-environment happy-dom
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { configureHttp, httpEvents, resetHttp } from '../../src/api/http';
import type { User } from '../../src/api/types';
import { closeAllUserDbs } from '../../src/offline/db';
import { Outbox } from '../../src/offline/outbox';
import { App } from '../../src/ui/App';
import { createFakeFetch, json, problem, type RecordedCall } from '../helpers/fake-fetch';

const user: User = {
  id: 'u1',
  email: 'ana@example.test',
  name: 'Ana Pérez',
  role: 'admin',
  tenant: {
    id: 't1',
    slug: 'acme',
    name: 'Acme SL',
    country: 'ES',
    locale: 'es-ES',
    currency: 'EUR',
    modules: ['crm', 'sales'],
  },
};

type Route = (call: RecordedCall) => Response | Promise<Response> | undefined;

let container: HTMLElement;
let routes: Route[];
let calls: RecordedCall[];
let signedIn: boolean;

function serve(route: Route) {
  routes.unshift(route);
}

function startServer() {
  routes = [
    (call) => {
      if (call.url.endsWith('/auth/me')) return signedIn ? json(200, user) : problem(401, 'No autenticado');
      if (call.url.endsWith('/auth/refresh')) return problem(401, 'Sin sesión');
      if (call.url.endsWith('/auth/logout')) {
        signedIn = false;
        return new Response(null, { status: 204 });
      }
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

function text(): string {
  return container.textContent ?? '';
}

/** Find an input by its label text, checking that the label is wired to it. */
function field(label: string): HTMLInputElement {
  const labelElement = [...container.querySelectorAll('label')].find((l) => l.textContent === label);
  if (!labelElement) throw new Error(`No label "${label}"`);
  const input = container.querySelector<HTMLInputElement>(`#${labelElement.htmlFor}`);
  if (!input) throw new Error(`Label "${label}" points to nothing`);
  return input;
}

function type(label: string, value: string) {
  const input = field(label);
  act(() => {
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

function button(name: string): HTMLButtonElement {
  const found = [...container.querySelectorAll('button')].find((b) => b.textContent?.trim() === name);
  if (!found) throw new Error(`No button "${name}" in: ${text()}`);
  return found;
}

async function submit(name: string) {
  await act(async () => {
    button(name).closest('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
  });
  await settle();
}

async function start(path = '/app/') {
  window.history.replaceState(null, '', path);
  await act(async () => {
    render(<App />, container);
  });
  await settle();
}

function navLabels(): string[] {
  return [...container.querySelectorAll('nav a')].map((a) => a.textContent ?? '');
}

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory();
  localStorage.clear();
  signedIn = false;
  startServer();
  container = document.createElement('div');
  document.body.appendChild(container);
});

afterEach(async () => {
  await act(async () => render(null, container));
  container.remove();
  await closeAllUserDbs();
  resetHttp();
});

describe('login', () => {
  it('shows a labelled login form and opens the shell with only the enabled modules', async () => {
    serve((call) => (call.url.endsWith('/auth/login') ? json(200, { user }) : undefined));
    await start('/app/');
    await waitFor(() => expect(container.querySelector('h1')?.textContent).toBe('Iniciar sesión'));
    expect(field('Contraseña').type).toBe('password');
    expect(field('Correo electrónico').autocomplete).toBe('username');
    expect(container.querySelector('a[href="/app/password-reset"]')?.textContent).toBe('¿Has olvidado la contraseña?');
    expect(container.querySelector('a[href="/app/invitations/accept"]')?.textContent).toBe('Tengo una invitación');

    type('Empresa', ' ACME ');
    type('Correo electrónico', 'ana@example.test');
    type('Contraseña', 'secreto');
    await submit('Entrar');

    await waitFor(() => expect(navLabels()).toEqual(['Inicio', 'Clientes', 'Proveedores', 'Productos', 'Facturas', 'Presupuestos', 'Ajustes']));
    const loginCall = calls.find((c) => c.url.endsWith('/auth/login'))!;
    expect(loginCall.body).toEqual({ tenant: 'acme', email: 'ana@example.test', password: 'secreto' });
    await waitFor(() => expect(container.querySelector('main h1')?.textContent).toBe('Inicio'));
    expect(text()).toContain('Hola, Ana Pérez. Resumen de Acme SL.');
    expect(localStorage.getItem('gestiq:tenant-slug')).toBe('acme');
  });

  it('asks for the TOTP code when the server requires a second factor', async () => {
    serve((call) => {
      if (call.url.endsWith('/auth/login')) return json(200, { second_factor_required: true });
      if (call.url.endsWith('/auth/login/totp')) {
        return (call.body as { code: string }).code === '123456' ? json(200, { user }) : problem(401, 'Código incorrecto');
      }
      return undefined;
    });
    await start('/app/login');
    type('Empresa', 'acme');
    type('Correo electrónico', 'ana@example.test');
    type('Contraseña', 'secreto');
    await submit('Entrar');

    await waitFor(() => expect(container.querySelector('h1')?.textContent).toBe('Verificación en dos pasos'));
    expect(field('Código de verificación').autocomplete).toBe('one-time-code');
    type('Código de verificación', '000000');
    await submit('Verificar');
    await waitFor(() => expect(container.querySelector('[role="alert"]')?.textContent).toContain('Código incorrecto'));

    type('Código de verificación', '123456');
    await submit('Verificar');
    await waitFor(() => expect(navLabels()).toContain('Facturas'));
    expect(window.location.pathname).toBe('/app/'); // /login is left after signing in
  });

  it('shows the problem and the field errors when login is rejected', async () => {
    serve((call) =>
      call.url.endsWith('/auth/login')
        ? problem(422, 'Datos no válidos', { errors: { email: ['Correo no válido'] }, request_id: 'req-77' })
        : undefined,
    );
    await start('/app/login');
    type('Empresa', 'acme');
    type('Correo electrónico', 'x');
    type('Contraseña', 'y');
    await submit('Entrar');

    const alert = await waitFor(() => {
      const element = container.querySelector('[role="alert"]');
      expect(element).not.toBeNull();
      return element!;
    });
    expect(alert.textContent).toContain('Datos no válidos');
    expect(alert.textContent).toContain('Referencia: req-77');
    const email = field('Correo electrónico');
    expect(email.getAttribute('aria-invalid')).toBe('true');
    expect(container.querySelector(`#${email.getAttribute('aria-describedby')}`)?.textContent).toBe('Correo no válido');
  });
});

describe('shell', () => {
  beforeEach(() => {
    signedIn = true;
  });

  it('navigates with links, marks the current entry and blocks disabled modules', async () => {
    await start('/app/');
    await waitFor(() => expect(navLabels()).toHaveLength(7));
    const customers = [...container.querySelectorAll<HTMLAnchorElement>('nav a')].find((a) => a.textContent === 'Clientes')!;
    await act(async () => {
      customers.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true, button: 0 }));
    });
    await settle();
    expect(window.location.pathname).toBe('/app/customers');
    await waitFor(() => expect(container.querySelector('main h1')?.textContent).toBe('Clientes'));
    expect(customers.getAttribute('aria-current')).toBe('page');

    await act(async () => {
      window.history.pushState(null, '', '/app/purchases');
      window.dispatchEvent(new PopStateEvent('popstate'));
    });
    await settle();
    expect(container.querySelector('main h1')?.textContent).toBe('Módulo no disponible');
  });

  it('shows the offline and server-unreachable banners', async () => {
    await start('/app/');
    await waitFor(() => expect(navLabels()).toHaveLength(7));
    const banner = () => container.querySelector('.connectivity')?.textContent ?? '';
    expect(banner()).toBe('');

    await act(async () => {
      httpEvents.dispatchEvent(new CustomEvent('network-error'));
    });
    expect(banner()).toContain('No se puede contactar con el servidor');
    await act(async () => {
      window.dispatchEvent(new Event('offline'));
    });
    expect(banner()).toContain('Sin conexión');
    await act(async () => {
      window.dispatchEvent(new Event('online'));
      httpEvents.dispatchEvent(new CustomEvent('network-ok'));
    });
    expect(banner()).toBe('');
  });

  it('returns to the login form with a notice when the session expires', async () => {
    await start('/app/invoices');
    await waitFor(() => expect(container.querySelector('main h1')?.textContent).toBe('Facturas'));
    await act(async () => {
      httpEvents.dispatchEvent(new CustomEvent('session-expired'));
    });
    await settle();
    expect(container.querySelector('h1')?.textContent).toBe('Iniciar sesión');
    expect(text()).toContain('Tu sesión ha caducado');
  });

  it('opens offline with the remembered user when the server cannot be reached', async () => {
    localStorage.setItem('gestiq:last-user', JSON.stringify(user));
    serve(() => {
      throw new TypeError('Failed to fetch');
    });
    await start('/app/');
    await waitFor(() => expect(navLabels()).toHaveLength(7));
    // The screens' own requests (dashboard, cache sync) fail too, so the banner says the server is unreachable.
    await waitFor(() => expect(container.querySelector('.connectivity')?.textContent).toContain('No se puede contactar con el servidor'));
  });

  it('lists failed outbox entries with the server errors, and retries and discards them', async () => {
    const scope = { tenantId: 't1', userId: 'u1' };
    const failing = new Outbox(scope, {
      send: async () => {
        const { ApiError } = await import('../../src/api/http');
        throw new ApiError({
          type: 'about:blank',
          title: 'Datos no válidos',
          status: 422,
          errors: { tax_id: ['NIF no válido'] },
          request_id: 'srv-5',
        });
      },
    });
    const customer = await failing.enqueue({ method: 'POST', path: '/api/v1/customers', body: { name: 'Ana' }, label: 'Nuevo cliente: Ana' });
    await failing.enqueue({ method: 'POST', path: '/api/v1/invoices', body: { customer_id: customer.id }, dependsOn: [customer.id], label: 'Factura borrador' });
    await failing.replay();
    await closeAllUserDbs();

    let accept = true;
    serve((call) => (call.url.endsWith('/customers') && accept ? json(201, { id: 'cus-1' }) : undefined));
    serve((call) => (call.url.endsWith('/invoices') ? json(201, { id: 'inv-1' }) : undefined));

    await start('/app/outbox');
    await waitFor(() => expect(text()).toContain('Nuevo cliente: Ana'));
    expect(text()).toContain('Rechazada');
    expect(text()).toContain('NIF no válido');
    expect(text()).toContain('Referencia: srv-5');
    expect(text()).toContain('Espera a otra operación que fue rechazada.');
    expect(container.querySelector('.topbar__outbox')?.textContent).toBe('2 pendientes');

    await act(async () => {
      button('Reintentar').click();
    });
    // Retrying the customer releases the blocked invoice; both reach the server, customer first.
    await waitFor(() => expect(text()).toContain('No hay nada pendiente de enviar.'));
    const sent = calls.filter((c) => c.url.endsWith('/customers') || c.url.endsWith('/invoices'));
    expect(sent.map((c) => [c.url, c.body])).toEqual([
      ['/api/v1/customers', { name: 'Ana' }],
      ['/api/v1/invoices', { customer_id: 'cus-1' }],
    ]);
    expect(container.querySelector('.topbar__outbox')).toBeNull();

    accept = false;
    const outbox = new Outbox(scope);
    await outbox.enqueue({ method: 'POST', path: '/api/v1/customers', body: { name: 'Otro' }, label: 'Nuevo cliente: Otro' });
    await waitFor(() => expect(text()).toContain('Nuevo cliente: Otro'));
    const confirm = vi.fn(() => true);
    window.confirm = confirm;
    await act(async () => {
      button('Descartar').click();
    });
    await waitFor(() => expect(text()).not.toContain('Nuevo cliente: Otro'));
    expect(confirm).toHaveBeenCalledWith('¿Descartar esta operación? No se enviará al servidor.');
  });

  it('warns before logging out with unsent changes, then clears the user\'s data', async () => {
    localStorage.setItem('gestiq:last-user', JSON.stringify(user));
    serve(() => {
      throw new TypeError('Failed to fetch'); // offline: the entry stays pending
    });
    await start('/app/');
    await waitFor(() => expect(navLabels()).toHaveLength(7));
    await new Outbox({ tenantId: 't1', userId: 'u1' }).enqueue({ method: 'POST', path: '/api/v1/customers', body: {} });

    const confirm = vi.fn(() => false);
    window.confirm = confirm;
    await act(async () => {
      button('Cerrar sesión').click();
    });
    await settle(20);
    expect(confirm).toHaveBeenCalledWith(
      'Hay 1 operación sin enviar al servidor. Si cierras sesión se perderá. ¿Cerrar sesión igualmente?',
    );
    expect(navLabels()).toHaveLength(7);

    confirm.mockReturnValue(true);
    await act(async () => {
      button('Cerrar sesión').click();
    });
    await waitFor(() => expect(container.querySelector('h1')?.textContent).toBe('Iniciar sesión'));
    expect(localStorage.getItem('gestiq:last-user')).toBeNull();
    expect((await indexedDB.databases()).map((d) => d.name)).toEqual([]);
    expect(window.location.pathname).toBe('/app/login');
  });
});

describe('password reset and invitations', () => {
  it('requests a reset e-mail and confirms the new password with the token from the link', async () => {
    serve((call) => {
      if (call.url.endsWith('/password-reset')) return new Response(null, { status: 202 });
      if (call.url.endsWith('/password-reset/confirm')) return new Response(null, { status: 204 });
      return undefined;
    });
    await start('/app/password-reset');
    type('Empresa', 'acme');
    type('Correo electrónico', 'ana@example.test');
    await submit('Enviar enlace');
    await waitFor(() => expect(text()).toContain('Si la cuenta existe, recibirás un correo'));

    await act(async () => render(null, container));
    await start('/app/password-reset/confirm#token=tok-123');
    expect(window.location.hash).toBe(''); // the token leaves the address bar at once
    expect(() => field('Código de restablecimiento')).toThrow();
    type('Contraseña nueva', 'nueva-clave-larga');
    type('Repite la contraseña', 'otra');
    expect(text()).toContain('Las contraseñas no coinciden.');
    type('Repite la contraseña', 'nueva-clave-larga');
    await submit('Guardar contraseña');
    await waitFor(() => expect(text()).toContain('Contraseña cambiada'));
    expect(calls.find((c) => c.url.endsWith('/confirm'))?.body).toEqual({ token: 'tok-123', password: 'nueva-clave-larga' });
  });

  it('accepts an invitation with a typed code and opens the app when the server signs the user in', async () => {
    serve((call) => (call.url.endsWith('/invitations/accept') ? json(200, { user }) : undefined));
    await start('/app/invitations/accept');
    type('Código de invitación', 'inv-9');
    type('Nombre y apellidos', 'Ana Pérez');
    type('Contraseña nueva', 'clave-larga-1');
    type('Repite la contraseña', 'clave-larga-1');
    await submit('Crear mi cuenta');
    await waitFor(() => expect(navLabels()).toContain('Inicio'));
    expect(calls.find((c) => c.url.endsWith('/invitations/accept'))?.body).toEqual({
      token: 'inv-9',
      name: 'Ana Pérez',
      password: 'clave-larga-1',
    });
  });
});
