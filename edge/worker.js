// GestiQCloud edge Worker: applies edge/policy.json and proxies to env.BACKEND_URL.
// Environment variables: GESTIQ_ENV (development|staging|production), BACKEND_URL, BACKEND_TIMEOUT_MS (default 30000).
// The JSON import attribute is understood by wrangler's bundler and by Node >= 20.10 alike.
import policyDocument from './policy.json' with { type: 'json' };
import {
  PolicyError,
  buildPolicy,
  evaluatePreflight,
  hardenResponseHeaders,
  isPreflight,
  preflightHeaders,
  problemBody,
  resolveRequestId,
  splitHeaderList,
} from './policy.js';

export const DEFAULT_BACKEND_TIMEOUT_MS = 30000;
// Client-supplied forwarding headers are never trusted: the edge is the first hop that tells the truth.
const FORWARDING_HEADERS = [
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-port',
  'x-forwarded-prefix',
  'x-forwarded-proto',
  'x-real-ip',
];
const BODYLESS_METHODS = ['GET', 'HEAD'];

const policies = new Map();

function policyFor(environment) {
  if (!policies.has(environment)) policies.set(environment, buildPolicy(policyDocument, environment));
  return policies.get(environment);
}

function backendTimeoutMs(env) {
  const parsed = Number.parseInt(env.BACKEND_TIMEOUT_MS ?? '', 10);
  return Number.isFinite(parsed) && parsed > 0 ? parsed : DEFAULT_BACKEND_TIMEOUT_MS;
}

// Map the public URL onto BACKEND_URL, keeping path and query (and any path prefix of BACKEND_URL).
export function backendUrl(base, incoming) {
  const backend = new URL(base);
  const prefix = backend.pathname.replace(/\/+$/, '');
  return `${backend.origin}${prefix}${incoming.pathname}${incoming.search}`;
}

// Build the headers sent to the backend: hop-by-hop and forged forwarding headers out, ours in.
export function forwardedRequestHeaders(policy, request, requestId) {
  const incoming = new URL(request.url);
  const dropped = new Set([...policy.hopByHopHeaders, ...FORWARDING_HEADERS, 'host']);
  for (const token of splitHeaderList(request.headers.get('connection') ?? '')) dropped.add(token.toLowerCase());
  const headers = new Headers();
  for (const [name, value] of request.headers) {
    if (!dropped.has(name) && !name.startsWith('proxy-')) headers.append(name, value);
  }
  headers.set(policy.requestIdHeader, requestId);
  const clientIp = request.headers.get('cf-connecting-ip');
  if (clientIp) headers.set('X-Forwarded-For', clientIp);
  headers.set('X-Forwarded-Proto', incoming.protocol.replace(/:$/, ''));
  headers.set('X-Forwarded-Host', incoming.host);
  return headers;
}

function toHeaders(pairs) {
  const headers = new Headers();
  for (const [name, value] of pairs) headers.append(name, value);
  return headers;
}

function problemResponse(policy, key, requestId, origin) {
  const body = JSON.stringify(problemBody(policy, key, requestId));
  const base = [
    ['Content-Type', 'application/problem+json'],
    ['Cache-Control', 'no-store'],
  ];
  const headers = hardenResponseHeaders(policy, base, { origin, requestId });
  return new Response(body, { status: policy.problems[key].status, headers: toHeaders(headers) });
}

function misconfiguredResponse(reason) {
  // The reason goes to the Worker log, not to the client.
  console.error(`gestiq edge misconfigured: ${reason}`);
  const problem = policyDocument.problems.edge_misconfigured;
  const body = JSON.stringify({ ...problem, request_id: crypto.randomUUID() });
  return new Response(body, {
    status: problem.status,
    headers: {
      'Content-Type': 'application/problem+json',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  });
}

function answerPreflight(policy, request, origin, requestId) {
  const requestedMethod = request.headers.get('access-control-request-method');
  const requestedHeaders = request.headers.get('access-control-request-headers');
  const denial = evaluatePreflight(policy, origin, requestedMethod, requestedHeaders);
  // A denied preflight never carries CORS headers, even when only the method or a header was refused.
  if (denial !== null) return problemResponse(policy, denial, requestId, null);
  const headers = hardenResponseHeaders(policy, [], { origin: null, requestId });
  headers.push(...preflightHeaders(policy, origin));
  return new Response(null, { status: 204, headers: toHeaders(headers) });
}

function responseHeaderPairs(headers) {
  const pairs = [];
  for (const [name, value] of headers) {
    if (name !== 'set-cookie') pairs.push([name, value]);
  }
  for (const line of headers.getSetCookie()) pairs.push(['set-cookie', line]);
  return pairs;
}

async function proxy(policy, request, env, origin, requestId) {
  const incoming = new URL(request.url);
  const timeoutMs = backendTimeoutMs(env);
  const controller = new AbortController();
  let timedOut = false;
  // The timeout covers the wait for the backend's response headers; a body already streaming is not cut.
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const hasBody = !BODYLESS_METHODS.includes(request.method) && request.body !== null;
  let upstream;
  try {
    upstream = await fetch(backendUrl(env.BACKEND_URL, incoming), {
      method: request.method,
      headers: forwardedRequestHeaders(policy, request, requestId),
      body: hasBody ? request.body : undefined,
      duplex: hasBody ? 'half' : undefined,
      redirect: 'manual',
      signal: controller.signal,
    });
  } catch (error) {
    if (timedOut) return problemResponse(policy, 'backend_timeout', requestId, origin);
    if (error instanceof TypeError || error?.name === 'AbortError') {
      return problemResponse(policy, 'backend_unreachable', requestId, origin);
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
  const headers = hardenResponseHeaders(policy, responseHeaderPairs(upstream.headers), { origin, requestId });
  return new Response(upstream.body, {
    status: upstream.status,
    statusText: upstream.statusText,
    headers: toHeaders(headers),
  });
}

export default {
  async fetch(request, env, ctx) {
    let policy;
    try {
      policy = policyFor(env.GESTIQ_ENV);
      if (!env.BACKEND_URL) throw new PolicyError('BACKEND_URL is not set');
      new URL(env.BACKEND_URL);
    } catch (error) {
      if (error instanceof PolicyError || error instanceof TypeError) return misconfiguredResponse(error.message);
      throw error;
    }
    const { id: requestId } = resolveRequestId(policy, request.headers.get(policy.requestIdHeader));
    const origin = request.headers.get('origin');
    if (isPreflight(request.method, origin, request.headers.get('access-control-request-method'))) {
      return answerPreflight(policy, request, origin, requestId);
    }
    return proxy(policy, request, env, origin, requestId);
  },
};
