// Hand-written API types for the auth contract, until `npm run gen:types` produces src/api/schema.d.ts
// from the backend's /openapi.json. Keep names and shapes identical to the JSON (snake_case).

export type Country = 'ES' | 'EC';

export interface Tenant {
  id: string;
  slug: string;
  name: string;
  country: Country;
  /** BCP 47, e.g. "es-ES", "es-EC". */
  locale: string;
  /** ISO 4217, e.g. "EUR", "USD". */
  currency: string;
  /** Enabled module keys (see src/modules.ts). */
  modules: string[];
}

export interface User {
  id: string;
  email: string;
  name: string;
  role: string;
  /** Permission names the role grants (`customers:write`, `api_tokens:write`...); absent in old profiles. */
  permissions?: string[];
  tenant: Tenant;
}

export interface LoginRequest {
  tenant: string;
  email: string;
  password: string;
}

export interface TotpRequest {
  code: string;
}

export interface UserResponse {
  user: User;
}

export interface SecondFactorRequired {
  second_factor_required: true;
}

export type LoginResponse = UserResponse | SecondFactorRequired;

export interface PasswordResetRequest {
  tenant: string;
  email: string;
}

export interface PasswordResetConfirmRequest {
  token: string;
  password: string;
}

export interface InvitationAcceptRequest {
  token: string;
  name: string;
  password: string;
}

/** A money amount as the API sends it: a decimal string such as "1234.50". */
export type Money = string;
