// Runs every case of edge/vectors.json against edge/worker.js with globalThis.fetch stubbed.
// Run: node --test edge/   (no npm dependency needed)
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import worker from './worker.js';
import vectorsDocument from './vectors.json' with { type: 'json' };

const BACKEND_URL = 'http://backend.internal:8000';
const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const NULL_BODY_STATUSES = [101, 204, 205, 304];
const VECTOR_KEYS = ['name', 'description', 'environment', 'request', 'backend', 'expect'];
const REQUEST_KEYS = ['method', 'url', 'headers', 'body', 'client_ip'];
const BACKEND_KEYS = ['status', 'headers', 'set_cookie', 'body'];
const EXPECT_KEYS = [
  'status', 'headers', 'absent_headers', 'set_cookie', 'request_id', 'body', 'body_json',
  'backend_called', 'backend_received', 'proxied_request',
];
const RECEIVED_KEYS = ['headers', 'absent_headers', 'body'];
const PROXIED_KEYS = ['url', 'method', 'headers', 'absent_headers'];

const originalFetch = globalThis.fetch;
const ranVectors = new Set();
after(() => {
  globalThis.fetch = originalFetch;
});

function assertKnownKeys(object, allowed, where) {
  for (const key of Object.keys(object)) {
    assert.ok(allowed.includes(key), `${where}: unknown key ${key} (a typo would silently skip a check)`);
  }
}

function validateVector(vector) {
  assertKnownKeys(vector, VECTOR_KEYS, vector.name);
  assertKnownKeys(vector.request, REQUEST_KEYS, `${vector.name}.request`);
  if (vector.backend !== null) assertKnownKeys(vector.backend, BACKEND_KEYS, `${vector.name}.backend`);
  assertKnownKeys(vector.expect, EXPECT_KEYS, `${vector.name}.expect`);
  if (vector.expect.backend_received) {
    assertKnownKeys(vector.expect.backend_received, RECEIVED_KEYS, `${vector.name}.expect.backend_received`);
  }
  if (vector.expect.proxied_request) {
    assertKnownKeys(vector.expect.proxied_request, PROXIED_KEYS, `${vector.name}.expect.proxied_request`);
  }
  assert.ok(['kept', 'regenerated'].includes(vector.expect.request_id), `${vector.name}: request_id`);
  assert.equal(vector.expect.backend_called, vector.backend !== null, `${vector.name}: backend_called vs backend`);
}

// Feed a header value the way a Worker could ever see it (see the CR/LF note in vectors.json).
function deliverableValue(name, value) {
  if (!/[\r\n]/.test(value)) return value;
  assert.throws(() => new Headers([[name, value]]), TypeError, 'Fetch must refuse raw CR/LF in a header value');
  return value.replace(/[\r\n]/g, ' ');
}

function buildRequest(vector) {
  const headers = new Headers();
  for (const [name, value] of vector.request.headers) headers.append(name, deliverableValue(name, value));
  headers.set('CF-Connecting-IP', vector.request.client_ip);
  const init = { method: vector.request.method, headers };
  if (vector.request.body !== null) init.body = vector.request.body;
  return new Request(vector.request.url, init);
}

function backendResponse(backend) {
  const headers = new Headers();
  for (const [name, value] of backend.headers) headers.append(name, value);
  for (const line of backend.set_cookie) headers.append('Set-Cookie', line);
  const body = NULL_BODY_STATUSES.includes(backend.status) ? null : backend.body;
  return new Response(body, { status: backend.status, headers });
}

// Replace globalThis.fetch by a backend that plays the vector's response and records what it got.
function stubBackend(backend) {
  const calls = [];
  globalThis.fetch = async (url, init) => {
    const call = { url: String(url), method: init.method, headers: new Headers(init.headers), body: '' };
    calls.push(call);
    if (init.body !== undefined && init.body !== null) call.body = await new Response(init.body).text();
    if (backend === null) throw new Error('the backend must not be called for this vector');
    return backendResponse(backend);
  };
  return calls;
}

function fill(value, requestId) {
  if (typeof value === 'string') return value.replaceAll('{request_id}', requestId);
  if (Array.isArray(value)) return value.map((item) => fill(item, requestId));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fill(item, requestId)]));
  }
  return value;
}

function assertHeaders(headers, expected, absent, where) {
  for (const [name, value] of Object.entries(expected)) {
    assert.equal(headers.get(name), value, `${where}: header ${name}`);
  }
  for (const name of absent) {
    assert.equal(headers.get(name), null, `${where}: header ${name} must be absent`);
  }
}

function clientRequestId(vector) {
  const values = vector.request.headers
    .filter(([name]) => name.toLowerCase() === 'x-request-id')
    .map(([name, value]) => deliverableValue(name, value));
  return values.length === 0 ? null : new Headers(values.map((value) => ['x-request-id', value])).get('x-request-id');
}

async function runVector(vector) {
  validateVector(vector);
  const calls = stubBackend(vector.backend);
  const env = { BACKEND_URL, GESTIQ_ENV: vector.environment };
  const response = await worker.fetch(buildRequest(vector), env, { waitUntil() {}, passThroughOnException() {} });
  const { expect } = vector;
  const requestId = response.headers.get('X-Request-ID');
  assert.ok(requestId, 'the response must carry X-Request-ID');
  const sentId = clientRequestId(vector);
  if (expect.request_id === 'kept') {
    assert.equal(requestId, sentId, 'the client request id must be kept');
  } else {
    assert.match(requestId, UUID4, 'a regenerated request id is a UUID4');
    assert.notEqual(requestId, sentId);
  }
  assert.equal(response.status, expect.status, 'status');
  assertHeaders(response.headers, fill(expect.headers, requestId), expect.absent_headers, 'response');
  assert.deepEqual(response.headers.getSetCookie(), expect.set_cookie, 'Set-Cookie lines');
  const text = await response.text();
  if ('body' in expect) assert.equal(text, expect.body, 'body');
  if ('body_json' in expect) assert.deepEqual(JSON.parse(text), fill(expect.body_json, requestId), 'body_json');
  assert.equal(calls.length, expect.backend_called ? 1 : 0, 'backend calls');
  if (!expect.backend_called) return;
  const [call] = calls;
  assert.equal(call.headers.get('X-Request-ID'), requestId, 'the backend saw the id the client got back');
  const received = expect.backend_received ?? {};
  assertHeaders(call.headers, fill(received.headers ?? {}, requestId), received.absent_headers ?? [], 'backend');
  if ('body' in received) assert.equal(call.body, received.body, 'backend body');
  const proxied = expect.proxied_request;
  if (proxied) {
    assert.equal(call.url, proxied.url, 'upstream URL');
    assert.equal(call.method, proxied.method, 'upstream method');
    assertHeaders(call.headers, fill(proxied.headers, requestId), proxied.absent_headers, 'upstream');
  }
}

const vectorNames = vectorsDocument.vectors.map((vector) => vector.name);

test('vector names are unique', () => {
  assert.equal(new Set(vectorNames).size, vectorNames.length);
});

for (const vector of vectorsDocument.vectors) {
  test(`vector: ${vector.name}`, async () => {
    await runVector(vector);
    ranVectors.add(vector.name);
  });
}

test('every vector in vectors.json ran and passed', () => {
  assert.deepEqual([...ranVectors].sort(), [...vectorNames].sort());
});
