/**
 * The one fetch wrapper every screen and the outbox use.
 *
 * - Cookies carry the JWTs (`credentials: 'include'`); unsafe methods send the double-submit CSRF token
 *   read from the readable `csrf_access_token` cookie as `X-CSRF-TOKEN`.
 * - Every attempt gets its own `X-Request-ID`; the server's is kept on the result or the error.
 * - Errors are RFC 9457 problems (`application/problem+json`) thrown as `ApiError`; a failure to reach the
 *   server at all (offline, DNS, timeout) is a `NetworkError`, which callers treat as retryable.
 * - A 401 triggers one `POST /auth/refresh` (concurrent 401s share it) and one retry of the request;
 *   if the refresh fails, `session-expired` is emitted on `httpEvents` and the 401 is thrown.
 */

export const API_PREFIX = '/api/v1';
export const REFRESH_PATH = `${API_PREFIX}/tenant/auth/refresh`;
const DEFAULT_TIMEOUT_MS = 30_000;
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Field errors as the API sends them: `{field: [message, ...]}`. */
export type FieldErrors = Record<string, string[]>;

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldErrors;
  request_id?: string;
}

/** An HTTP error response from the API, carrying its problem document. */
export class ApiError extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly errors: FieldErrors;
  readonly requestId: string | undefined;
  readonly retryAfter: string | undefined;

  constructor(problem: Problem, retryAfter?: string) {
    super(problem.detail || problem.title);
    this.name = 'ApiError';
    this.status = problem.status;
    this.type = problem.type;
    this.title = problem.title;
    this.detail = problem.detail;
    this.errors = problem.errors ?? {};
    this.requestId = problem.request_id;
    this.retryAfter = retryAfter;
  }

  /** Return the problem document (what the outbox stores and the UI shows). */
  toProblem(): Problem {
    const problem: Problem = { type: this.type, title: this.title, status: this.status };
    if (this.detail !== undefined) problem.detail = this.detail;
    if (Object.keys(this.errors).length) problem.errors = this.errors;
    if (this.requestId !== undefined) problem.request_id = this.requestId;
    return problem;
  }
}

/** The server could not be reached (offline, connection refused, timeout); safe to retry later. */
export class NetworkError extends Error {
  readonly requestId: string;

  constructor(message: string, requestId: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NetworkError';
    this.requestId = requestId;
  }
}

export interface RequestOptions {
  method?: HttpMethod;
  /** Serialized as JSON; a FormData is sent as multipart/form-data as is. */
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
  headers?: Record<string, string>;
  /** Sent as `Idempotency-Key`; reuse the same key when retrying the same logical operation. */
  idempotencyKey?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** False for the auth endpoints themselves, where a 401 means "wrong credentials". */
  refreshOnUnauthorized?: boolean;
}

export interface HttpResult<T> {
  status: number;
  data: T;
  /** The server's X-Request-ID (or ours if it sent none). */
  requestId: string;
  headers: Headers;
}

export interface HttpConfig {
  fetch: typeof fetch;
  readCookie: (name: string) => string | undefined;
  newRequestId: () => string;
  /** Prefix for relative paths; empty in the app (same origin). */
  baseUrl: string;
}

function readDocumentCookie(name: string): string | undefined {
  if (typeof document === 'undefined') return undefined;
  for (const part of document.cookie.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

const defaults: HttpConfig = {
  fetch: (...args) => globalThis.fetch(...args),
  readCookie: readDocumentCookie,
  newRequestId: () => crypto.randomUUID(),
  baseUrl: '',
};

let config: HttpConfig = { ...defaults };

/** Override parts of the HTTP configuration (tests, or a different API origin). */
export function configureHttp(overrides: Partial<HttpConfig>): void {
  config = { ...config, ...overrides };
}

/** Restore the default configuration and forget any refresh in flight. */
export function resetHttp(): void {
  config = { ...defaults };
  refreshInFlight = null;
  sessionEpoch = 0;
  lastRequestId = undefined;
}

export type HttpEventName = 'session-expired' | 'network-error' | 'network-ok';

/** Events: `session-expired` (go back to login), `network-error` / `network-ok` (offline indicator). */
export const httpEvents = new EventTarget();

function emit(name: HttpEventName, detail?: unknown): void {
  httpEvents.dispatchEvent(new CustomEvent(name, { detail }));
}

let lastRequestId: string | undefined;

/** Return the X-Request-ID of the most recent response (for telemetry and support messages). */
export function getLastRequestId(): string | undefined {
  return lastRequestId;
}

// Bumped after every successful refresh. A request that was sent before the bump and got 401 just
// retries with the new cookies instead of starting a second refresh (which would waste a rotation).
let sessionEpoch = 0;
let refreshInFlight: Promise<boolean> | null = null;

function buildUrl(path: string, query?: RequestOptions['query']): string {
  let url = config.baseUrl + path;
  if (query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null) params.set(key, String(value));
    }
    const text = params.toString();
    if (text) url += (url.includes('?') ? '&' : '?') + text;
  }
  return url;
}

function isJson(response: Response): boolean {
  const type = response.headers.get('Content-Type') ?? '';
  return /^application\/([\w.+-]+\+)?json/i.test(type);
}

async function readProblem(response: Response, requestId: string): Promise<Problem> {
  let body: unknown = undefined;
  if (isJson(response)) {
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
  }
  const raw = (body && typeof body === 'object' ? body : {}) as Partial<Problem>;
  return {
    type: typeof raw.type === 'string' ? raw.type : 'about:blank',
    title: typeof raw.title === 'string' ? raw.title : response.statusText || `HTTP ${response.status}`,
    status: typeof raw.status === 'number' ? raw.status : response.status,
    ...(typeof raw.detail === 'string' ? { detail: raw.detail } : {}),
    ...(raw.errors && typeof raw.errors === 'object' ? { errors: normalizeFieldErrors(raw.errors) } : {}),
    request_id: typeof raw.request_id === 'string' ? raw.request_id : requestId,
  };
}

function normalizeFieldErrors(errors: object): FieldErrors {
  const out: FieldErrors = {};
  for (const [field, messages] of Object.entries(errors)) {
    if (Array.isArray(messages)) out[field] = messages.map(String);
    else if (typeof messages === 'string') out[field] = [messages];
    // Nested objects (marshmallow nested schemas) are flattened to dotted names.
    else if (messages && typeof messages === 'object') {
      for (const [sub, subMessages] of Object.entries(normalizeFieldErrors(messages))) {
        out[`${field}.${sub}`] = subMessages;
      }
    }
  }
  return out;
}

async function fetchOnce(
  path: string,
  options: RequestOptions,
  csrfCookie: string,
): Promise<{ response: Response; requestId: string }> {
  const method = options.method ?? 'GET';
  const requestId = config.newRequestId();
  const headers: Record<string, string> = {
    Accept: 'application/json, application/problem+json',
    'X-Request-ID': requestId,
    ...options.headers,
  };
  if (UNSAFE_METHODS.has(method)) {
    const csrf = config.readCookie(csrfCookie);
    if (csrf) headers['X-CSRF-TOKEN'] = csrf;
  }
  if (options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey;
  let body: string | FormData | undefined;
  if (typeof FormData !== 'undefined' && options.body instanceof FormData) {
    body = options.body; // multipart (file uploads): the browser sets Content-Type with the boundary
  } else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }

  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const onCallerAbort = () => timeout.abort();
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  try {
    const response = await config.fetch(buildUrl(path, options.query), {
      method,
      headers,
      body,
      credentials: 'include',
      signal: timeout.signal,
    });
    emit('network-ok');
    return { response, requestId: response.headers.get('X-Request-ID') ?? requestId };
  } catch (error) {
    if (options.signal?.aborted) throw error; // the caller cancelled: not a connectivity problem
    emit('network-error', { path });
    const reason = timeout.signal.aborted ? 'Tiempo de espera agotado' : 'No se pudo conectar con el servidor';
    throw new NetworkError(reason, requestId, { cause: error });
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onCallerAbort);
  }
}

// Resolves true when the server issued new cookies, false when it refused (the session is over, and
// `session-expired` has been emitted once). A network failure rejects with NetworkError: being offline
// is not a reason to throw the user back to the login screen.
async function refreshSession(): Promise<boolean> {
  const { response, requestId } = await fetchOnce(REFRESH_PATH, { method: 'POST' }, 'csrf_refresh_token');
  if (response.ok) {
    sessionEpoch += 1;
    return true;
  }
  emit('session-expired', await readProblem(response, requestId));
  return false;
}

/** Refresh the session once, sharing the attempt between concurrent callers. */
export function refreshOnce(): Promise<boolean> {
  if (!refreshInFlight) {
    refreshInFlight = refreshSession().finally(() => {
      refreshInFlight = null;
    });
  }
  return refreshInFlight;
}

/** Send a request and return status, parsed JSON body and request id; throw ApiError / NetworkError. */
export async function send<T = unknown>(path: string, options: RequestOptions = {}): Promise<HttpResult<T>> {
  const epochAtSend = sessionEpoch;
  let { response, requestId } = await fetchOnce(path, options, 'csrf_access_token');

  if (response.status === 401 && options.refreshOnUnauthorized !== false) {
    // Someone else already refreshed after we sent: just retry. Otherwise refresh (or join the refresh).
    const refreshed = epochAtSend !== sessionEpoch || (await refreshOnce());
    if (!refreshed) {
      const problem = await readProblem(response, requestId);
      lastRequestId = problem.request_id;
      throw new ApiError(problem);
    }
    ({ response, requestId } = await fetchOnce(path, options, 'csrf_access_token'));
    if (response.status === 401) {
      // Fresh cookies and still unauthorized: the session is gone (revoked family, user disabled).
      const problem = await readProblem(response, requestId);
      lastRequestId = problem.request_id;
      emit('session-expired', problem);
      throw new ApiError(problem);
    }
  }

  lastRequestId = requestId;
  if (!response.ok) {
    throw new ApiError(await readProblem(response, requestId), response.headers.get('Retry-After') ?? undefined);
  }
  let data: unknown = undefined;
  if (response.status !== 204 && isJson(response)) data = await response.json();
  return { status: response.status, data: data as T, requestId, headers: response.headers };
}

/** Send a request and return only its parsed JSON body. */
export async function request<T = unknown>(path: string, options: RequestOptions = {}): Promise<T> {
  return (await send<T>(path, options)).data;
}

/** Shorthands for the common verbs; paths are relative to /api/v1. */
export const api = {
  get: <T>(path: string, options?: Omit<RequestOptions, 'method' | 'body'>) =>
    request<T>(API_PREFIX + path, { ...options, method: 'GET' }),
  post: <T>(path: string, body?: unknown, options?: Omit<RequestOptions, 'method' | 'body'>) =>
    request<T>(API_PREFIX + path, { ...options, method: 'POST', body }),
  put: <T>(path: string, body?: unknown, options?: Omit<RequestOptions, 'method' | 'body'>) =>
    request<T>(API_PREFIX + path, { ...options, method: 'PUT', body }),
  patch: <T>(path: string, body?: unknown, options?: Omit<RequestOptions, 'method' | 'body'>) =>
    request<T>(API_PREFIX + path, { ...options, method: 'PATCH', body }),
  delete: <T>(path: string, options?: Omit<RequestOptions, 'method' | 'body'>) =>
    request<T>(API_PREFIX + path, { ...options, method: 'DELETE' }),
};
