import { API_PREFIX, send } from './http';
import type {
  InvitationAcceptRequest,
  LoginRequest,
  LoginResponse,
  PasswordResetConfirmRequest,
  PasswordResetRequest,
  User,
  UserResponse,
} from './types';

const AUTH = `${API_PREFIX}/tenant/auth`;

// The credential endpoints answer 401 for "wrong password / code / token": that must reach the form,
// not trigger a session refresh.
const CREDENTIALS = { refreshOnUnauthorized: false } as const;

export type LoginOutcome = { kind: 'authenticated'; user: User } | { kind: 'second-factor' };

function isSecondFactor(body: LoginResponse): body is { second_factor_required: true } {
  return (body as { second_factor_required?: boolean }).second_factor_required === true;
}

/** Log in with tenant slug, e-mail and password; the server may ask for a TOTP code next. */
export async function login(credentials: LoginRequest): Promise<LoginOutcome> {
  const { data } = await send<LoginResponse>(`${AUTH}/login`, { method: 'POST', body: credentials, ...CREDENTIALS });
  return isSecondFactor(data) ? { kind: 'second-factor' } : { kind: 'authenticated', user: data.user };
}

/** Complete a login that required a second factor. */
export async function loginTotp(code: string): Promise<User> {
  const { data } = await send<UserResponse>(`${AUTH}/login/totp`, { method: 'POST', body: { code }, ...CREDENTIALS });
  return data.user;
}

/** End the session on the server (it revokes the refresh family and clears the cookies). */
export async function logout(): Promise<void> {
  // An expired access token is refreshed first so the server can still revoke the refresh token.
  await send(`${AUTH}/logout`, { method: 'POST' });
}

/** Return the logged-in user, refreshing the session once if the access token expired. */
export async function me(): Promise<User> {
  // The backend answers /auth/me with the user object itself (MeSchema), not wrapped in {user}.
  const { data } = await send<User>(`${AUTH}/me`);
  return data;
}

/** Ask for a password-reset e-mail; the server answers 202 whether or not the account exists. */
export async function requestPasswordReset(body: PasswordResetRequest): Promise<void> {
  await send(`${AUTH}/password-reset`, { method: 'POST', body, ...CREDENTIALS });
}

/** Set a new password with the token from the reset e-mail. */
export async function confirmPasswordReset(body: PasswordResetConfirmRequest): Promise<void> {
  await send(`${AUTH}/password-reset/confirm`, { method: 'POST', body, ...CREDENTIALS });
}

/**
 * Accept an invitation. If the server logs the new user in and returns `{user}`, that user is returned;
 * otherwise null and the screen sends the user to the login form.
 */
export async function acceptInvitation(body: InvitationAcceptRequest): Promise<User | null> {
  const { data } = await send<Partial<UserResponse> | undefined>(`${AUTH}/invitations/accept`, {
    method: 'POST',
    body,
    ...CREDENTIALS,
  });
  return data?.user ?? null;
}
