import { afterEach, describe, expect, it } from 'vitest';
import {
  acceptInvitation,
  confirmPasswordReset,
  login,
  loginTotp,
  logout,
  me,
  requestPasswordReset,
} from '../../src/api/auth';
import { ApiError, configureHttp, resetHttp } from '../../src/api/http';
import type { User } from '../../src/api/types';
import { createFakeFetch, json, problem, type Handler } from '../helpers/fake-fetch';

const user: User = {
  id: 'u1',
  email: 'ana@example.test',
  name: 'Ana',
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

function setup(handler: Handler) {
  const fake = createFakeFetch(handler);
  configureHttp({ fetch: fake.fetch, readCookie: () => 'csrf' });
  return fake.calls;
}

afterEach(() => resetHttp());

describe('auth client', () => {
  it('logs in and returns the user', async () => {
    const calls = setup(() => json(200, { user }));
    const outcome = await login({ tenant: 'acme', email: 'ana@example.test', password: 'pw' });
    expect(outcome).toEqual({ kind: 'authenticated', user });
    expect(calls[0]).toMatchObject({
      url: '/api/v1/tenant/auth/login',
      method: 'POST',
      body: { tenant: 'acme', email: 'ana@example.test', password: 'pw' },
    });
  });

  it('reports a required second factor, then completes it with the TOTP code', async () => {
    const calls = setup((call) =>
      call.url.endsWith('/login') ? json(200, { second_factor_required: true }) : json(200, { user }),
    );
    expect(await login({ tenant: 'acme', email: 'a', password: 'b' })).toEqual({ kind: 'second-factor' });
    expect(await loginTotp('123456')).toEqual(user);
    expect(calls[1]).toMatchObject({ url: '/api/v1/tenant/auth/login/totp', body: { code: '123456' } });
  });

  it('surfaces a 401 from login as an ApiError without trying to refresh', async () => {
    const calls = setup(() => problem(401, 'Credenciales incorrectas'));
    const error = await login({ tenant: 'acme', email: 'a', password: 'b' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(calls).toHaveLength(1);
  });

  it('reads the current user and refreshes once on 401', async () => {
    let refreshed = false;
    const calls = setup((call) => {
      if (call.url.endsWith('/refresh')) {
        refreshed = true;
        return json(200, {});
      }
      return refreshed ? json(200, user) : problem(401, 'Expired');
    });
    expect(await me()).toEqual(user);
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'GET /api/v1/tenant/auth/me',
      'POST /api/v1/tenant/auth/refresh',
      'GET /api/v1/tenant/auth/me',
    ]);
  });

  it('calls logout, password reset, confirm and invitation acceptance with the contract bodies', async () => {
    const calls = setup((call) => {
      if (call.url.endsWith('/password-reset')) return new Response(null, { status: 202 });
      if (call.url.endsWith('/invitations/accept')) return json(200, { user });
      return new Response(null, { status: 204 });
    });
    await logout();
    await requestPasswordReset({ tenant: 'acme', email: 'ana@example.test' });
    await confirmPasswordReset({ token: 'tok', password: 'new-secret' });
    expect(await acceptInvitation({ token: 'inv', name: 'Ana', password: 'pw' })).toEqual(user);
    expect(calls.map((c) => [c.method, c.url, c.body])).toEqual([
      ['POST', '/api/v1/tenant/auth/logout', undefined],
      ['POST', '/api/v1/tenant/auth/password-reset', { tenant: 'acme', email: 'ana@example.test' }],
      ['POST', '/api/v1/tenant/auth/password-reset/confirm', { token: 'tok', password: 'new-secret' }],
      ['POST', '/api/v1/tenant/auth/invitations/accept', { token: 'inv', name: 'Ana', password: 'pw' }],
    ]);
    expect(calls.every((c) => c.headers['x-csrf-token'] === 'csrf')).toBe(true);
  });

  it('returns null from invitation acceptance when the server does not log the user in', async () => {
    setup(() => new Response(null, { status: 204 }));
    expect(await acceptInvitation({ token: 'inv', name: 'Ana', password: 'pw' })).toBeNull();
  });
});
