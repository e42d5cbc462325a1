// Proxy helpers of the edge Worker, kept out of worker.js because a Worker module may only export handlers.
import { splitHeaderList } from './policy.js';

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

// Read BACKEND_TIMEOUT_MS (milliseconds); anything but a positive integer means the default.
export function backendTimeoutMs(env) {
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

// Turn response Headers into [name, value] pairs, one pair per Set-Cookie line.
export function responseHeaderPairs(headers) {
  const pairs = [];
  for (const [name, value] of headers) {
    if (name !== 'set-cookie') pairs.push([name, value]);
  }
  for (const line of headers.getSetCookie()) pairs.push(['set-cookie', line]);
  return pairs;
}
