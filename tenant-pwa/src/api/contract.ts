// Compile-time contract between the PWA and the backend: `npm run gen:types` regenerates schema.d.ts from
// the backend's /openapi.json before every build, and these lists must name fields that exist there. A
// backend change that renames or drops a field the PWA reads makes `tsc --noEmit` (and `make test`) fail.
import type { components } from './schema';

type Schemas = components['schemas'];

export const ME_FIELDS: (keyof Schemas['Me'])[] = ['id', 'email', 'name', 'role', 'permissions', 'is_totp_enabled', 'tenant'];
export const TENANT_FIELDS: (keyof Schemas['TenantInfo'])[] = ['id', 'slug', 'name', 'country', 'locale', 'currency', 'modules'];
export const LOGIN_FIELDS: (keyof Schemas['Login'])[] = ['tenant', 'email', 'password'];
export const LOGIN_RESPONSE_FIELDS: (keyof Schemas['LoginResponse'])[] = [
  'user', 'second_factor_required', 'enrollment_required', 'totp_secret', 'otpauth_uri', 'recovery_codes',
];
export const PASSWORD_RESET_FIELDS: (keyof Schemas['PasswordResetRequest'])[] = ['tenant', 'email'];
export const PASSWORD_RESET_CONFIRM_FIELDS: (keyof Schemas['PasswordResetConfirm'])[] = ['token', 'password'];
export const INVITATION_ACCEPT_FIELDS: (keyof Schemas['InvitationAccept'])[] = ['token', 'name', 'password'];
export const TELEMETRY_FIELDS: (keyof Schemas['Telemetry'])[] = ['kind', 'message', 'request_id', 'path', 'user_agent'];
