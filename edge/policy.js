// Pure functions of the GestiQCloud edge policy: the JavaScript twin of edge/policy.py.
// Both take the same policy.json; edge/vectors.json checks that they behave the same.

const SAME_SITE_VALUES = ['Strict', 'Lax', 'None'];
// Headers the edge owns on every response: whatever the backend sent for them is discarded.
const EDGE_OWNED_RESPONSE_HEADERS = ['strict-transport-security'];

export class PolicyError extends Error {}

// Trim HTTP whitespace from both ends (Fetch already does this for header values; WSGI does not).
export function stripHttpWhitespace(value) {
  return value.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
}

function trimOws(value) {
  return value.replace(/^[ \t]+|[ \t]+$/g, '');
}

// A regular expression that must match the whole string (no multiline, no partial match).
function wholeMatch(pattern) {
  const compiled = new RegExp(pattern);
  return (value) => {
    const match = compiled.exec(value);
    return match !== null && match.index === 0 && match[0].length === value.length;
  };
}

function cookieRule(name, raw) {
  const rule = {
    httpOnly: Boolean(raw.http_only),
    secure: Boolean(raw.secure),
    sameSite: raw.same_site,
    path: raw.path,
    partitioned: Boolean(raw.partitioned),
    hostOnly: Boolean(raw.host_only),
  };
  if (!SAME_SITE_VALUES.includes(rule.sameSite)) {
    throw new PolicyError(`cookie rule ${name}: SameSite must be one of ${SAME_SITE_VALUES.join(', ')}`);
  }
  if ((rule.sameSite === 'None' || rule.partitioned) && !rule.secure) {
    throw new PolicyError(`cookie rule ${name}: SameSite=None and Partitioned need Secure`);
  }
  if (!rule.path.startsWith('/') || rule.path.includes(';')) {
    throw new PolicyError(`cookie rule ${name}: path must start with / and contain no ;`);
  }
  return rule;
}

// Validate the policy document and return the policy of one environment.
export function buildPolicy(document, environment) {
  const environments = document.environments ?? {};
  if (typeof environment !== 'string' || !Object.hasOwn(environments, environment)) {
    throw new PolicyError(`unknown edge environment ${JSON.stringify(environment)}`);
  }
  const env = environments[environment];
  const { cors, cookies } = document;
  const security = document.security_headers;
  const parent = env.tenant_parent_domain;
  if (parent !== null && !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(parent)) {
    throw new PolicyError(`tenant_parent_domain ${parent} must be a lower-case domain without dots at the ends`);
  }
  for (const origin of env.allowed_origins) {
    if (!/^https?:\/\/[a-z0-9.-]+(:[0-9]{1,5})?$/.test(origin)) {
      throw new PolicyError(`allowed origin ${origin} is not a serialized origin`);
    }
  }
  const fallback = cookies.same_site_none_without_secure;
  if (fallback !== 'Strict' && fallback !== 'Lax') {
    throw new PolicyError('same_site_none_without_secure must be Strict or Lax');
  }
  const rules = new Map(Object.entries(cookies.rules).map(([name, raw]) => [name, cookieRule(name, raw)]));
  return Object.freeze({
    environment,
    allowedOrigins: new Set(env.allowed_origins),
    tenantParentDomain: parent,
    tenantLabelMatches: wholeMatch(cors.tenant_label_pattern),
    cookieDomain: env.cookie_domain,
    cookieSecure: Boolean(env.cookie_secure),
    sameSiteNoneWithoutSecure: fallback,
    hsts: env.hsts,
    allowedMethods: [...cors.allowed_methods],
    allowedHeaders: [...cors.allowed_headers],
    exposedHeaders: [...cors.exposed_headers],
    allowCredentials: Boolean(cors.allow_credentials),
    maxAgeSeconds: Number.parseInt(String(cors.max_age_seconds), 10),
    cookieRules: rules,
    defaultCookieRule: cookieRule('default', cookies.default),
    requestIdHeader: document.request_id.header,
    requestIdMatches: wholeMatch(document.request_id.pattern),
    alwaysHeaders: Object.entries(security.always),
    ifAbsentHeaders: Object.entries(security.if_absent),
    removedHeaders: new Set(security.remove.map((name) => name.toLowerCase())),
    hopByHopHeaders: new Set(document.hop_by_hop_headers.map((name) => name.toLowerCase())),
    problems: document.problems,
  });
}

// Tell whether an Origin header value may receive CORS headers.
export function isOriginAllowed(policy, origin) {
  if (!origin) return false;
  if (policy.allowedOrigins.has(origin)) return true;
  const parent = policy.tenantParentDomain;
  if (parent === null) return false;
  const prefix = 'https://';
  const suffix = `.${parent}`;
  if (!origin.startsWith(prefix) || !origin.endsWith(suffix)) return false;
  const label = origin.slice(prefix.length, origin.length - suffix.length);
  // Exactly one label: the pattern forbids dots, but say so explicitly so a looser pattern cannot widen it.
  return !label.includes('.') && policy.tenantLabelMatches(label);
}

// Return {id, kept}: the client's request id when it is well-formed, else a fresh UUID4.
export function resolveRequestId(policy, value) {
  if (value !== null && value !== undefined) {
    const candidate = stripHttpWhitespace(value);
    if (policy.requestIdMatches(candidate)) return { id: candidate, kept: true };
  }
  return { id: crypto.randomUUID(), kept: false };
}

// Tell whether a request is a CORS preflight the edge must answer itself.
export function isPreflight(method, origin, requestedMethod) {
  return method.toUpperCase() === 'OPTIONS' && origin !== null && requestedMethod !== null;
}

// Split a comma-separated header value into its non-empty, trimmed items.
export function splitHeaderList(value) {
  return value.split(',').map(trimOws).filter((item) => item !== '');
}

// Return the problem key that denies a preflight, or null when it is allowed.
export function evaluatePreflight(policy, origin, requestedMethod, requestedHeaders) {
  if (!isOriginAllowed(policy, origin)) return 'preflight_origin_denied';
  if (!policy.allowedMethods.includes(stripHttpWhitespace(requestedMethod))) return 'preflight_method_denied';
  const allowed = new Set(policy.allowedHeaders.map((name) => name.toLowerCase()));
  for (const name of splitHeaderList(requestedHeaders ?? '')) {
    if (!allowed.has(name.toLowerCase())) return 'preflight_header_denied';
  }
  return null;
}

// Return the CORS headers of an actual (non-preflight) response for this origin.
export function corsHeaders(policy, origin) {
  if (origin === null || !isOriginAllowed(policy, origin)) return [];
  const headers = [['Access-Control-Allow-Origin', origin]];
  if (policy.allowCredentials) headers.push(['Access-Control-Allow-Credentials', 'true']);
  headers.push(['Access-Control-Expose-Headers', policy.exposedHeaders.join(', ')]);
  return headers;
}

// Return the CORS headers of an allowed preflight answer.
export function preflightHeaders(policy, origin) {
  const headers = [['Access-Control-Allow-Origin', origin]];
  if (policy.allowCredentials) headers.push(['Access-Control-Allow-Credentials', 'true']);
  headers.push(
    ['Access-Control-Allow-Methods', policy.allowedMethods.join(', ')],
    ['Access-Control-Allow-Headers', policy.allowedHeaders.join(', ')],
    ['Access-Control-Max-Age', String(policy.maxAgeSeconds)],
  );
  return headers;
}

// Merge Vary header values into one, de-duplicated, with Origin appended.
export function mergeVary(values) {
  const tokens = [];
  const seen = new Set();
  for (const value of values) {
    for (const token of splitHeaderList(value)) {
      if (!seen.has(token.toLowerCase())) {
        seen.add(token.toLowerCase());
        tokens.push(token);
      }
    }
  }
  if (seen.has('*')) return '*';
  if (!seen.has('origin')) tokens.push('Origin');
  return tokens.join(', ');
}

function partition(text, separator) {
  const index = text.indexOf(separator);
  return index === -1 ? [text, '', ''] : [text.slice(0, index), separator, text.slice(index + 1)];
}

// Rewrite one Set-Cookie line by the policy, or return null to drop a nameless cookie.
export function rewriteSetCookie(policy, line) {
  const parts = line.split(';');
  const [rawName, separator, rawValue] = partition(parts[0], '=');
  const name = trimOws(rawName);
  const value = trimOws(rawValue);
  if (!separator || !name) return null;
  const kept = new Map();
  for (const attribute of parts.slice(1)) {
    const [key, , attributeValue] = partition(attribute, '=');
    const canonical = { expires: 'Expires', 'max-age': 'Max-Age' }[trimOws(key).toLowerCase()];
    if (canonical && trimOws(attributeValue)) kept.set(canonical, trimOws(attributeValue));
  }
  const rule = policy.cookieRules.get(name) ?? policy.defaultCookieRule;
  const secure = rule.secure && policy.cookieSecure;
  const sameSite = rule.sameSite === 'None' && !secure ? policy.sameSiteNoneWithoutSecure : rule.sameSite;
  const pieces = [`${name}=${value}`];
  for (const key of ['Expires', 'Max-Age']) {
    if (kept.has(key)) pieces.push(`${key}=${kept.get(key)}`);
  }
  if (policy.cookieDomain && !rule.hostOnly) pieces.push(`Domain=${policy.cookieDomain}`);
  pieces.push(`Path=${rule.path}`);
  if (secure) pieces.push('Secure');
  if (rule.httpOnly) pieces.push('HttpOnly');
  pieces.push(`SameSite=${sameSite}`);
  if (rule.partitioned && secure) pieces.push('Partitioned');
  return pieces.join('; ');
}

// Return the response headers ([name, value] pairs) with cookies, CORS, request id and security headers applied.
export function hardenResponseHeaders(policy, headers, { origin, requestId }) {
  const dropped = new Set([...policy.removedHeaders, ...policy.hopByHopHeaders, ...EDGE_OWNED_RESPONSE_HEADERS]);
  dropped.add(policy.requestIdHeader.toLowerCase());
  for (const [name, value] of headers) {
    if (name.toLowerCase() === 'connection') {
      for (const token of splitHeaderList(value)) dropped.add(token.toLowerCase());
    }
  }
  for (const [name] of policy.alwaysHeaders) dropped.add(name.toLowerCase());
  const kept = [];
  const cookies = [];
  const varyValues = [];
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (lower === 'set-cookie') {
      const rewritten = rewriteSetCookie(policy, value);
      if (rewritten !== null) cookies.push(['Set-Cookie', rewritten]);
    } else if (lower === 'vary') {
      varyValues.push(value);
    } else if (!dropped.has(lower) && !lower.startsWith('access-control-')) {
      kept.push([name, value]);
    }
  }
  const present = new Set(kept.map(([name]) => name.toLowerCase()));
  for (const [name, value] of policy.ifAbsentHeaders) {
    if (!present.has(name.toLowerCase())) kept.push([name, value]);
  }
  kept.push(...policy.alwaysHeaders);
  if (policy.hsts) kept.push(['Strict-Transport-Security', policy.hsts]);
  kept.push(['Vary', mergeVary(varyValues)]);
  kept.push([policy.requestIdHeader, requestId]);
  kept.push(...corsHeaders(policy, origin));
  return [...kept, ...cookies];
}

// Return the application/problem+json document of one edge problem.
export function problemBody(policy, key, requestId) {
  const problem = policy.problems[key];
  return {
    type: problem.type,
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    request_id: requestId,
  };
}
