import { SIGNALING_PATH, SignalingQueryParam, TENANT_PATH_SEGMENT } from './wire-constants.js';

export interface SignalingTargetInput {
  readonly token: string;
  readonly force?: boolean;
  /** Tenant id: the socket then lives under `/tenant/<tenant>/signaling/v1`. */
  readonly tenant?: string;
}

/**
 * The signaling URL for a server base such as `ws://127.0.0.1:8080` or `https://core.example.com/prefix`.
 * An http(s) base becomes ws(s). A base already ending in `/tenant/<id>` has that tenant replaced, as the
 * Flutter app does. The token is percent-encoded (the Vue dialer sends it raw, so servers mint URL-safe tokens).
 */
export function signalingUrl(base: string, target: SignalingTargetInput): string {
  const url = new URL(base);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  const segments = url.pathname.split('/').filter((segment) => segment !== '');
  if (target.tenant !== undefined && target.tenant !== '') {
    // URL resolution removes dot segments: such a tenant would silently vanish from the path.
    if (target.tenant === '.' || target.tenant === '..') {
      throw new RangeError(`tenant id ${JSON.stringify(target.tenant)} cannot be a URL path segment`);
    }
    if (segments.length >= 2 && segments[segments.length - 2] === TENANT_PATH_SEGMENT) segments.splice(-2, 2);
    segments.push(TENANT_PATH_SEGMENT, encodeURIComponent(target.tenant));
  }
  url.pathname = `/${[...segments, ...SIGNALING_PATH.split('/').filter((s) => s !== '')].join('/')}`;
  // Percent-encoding, not URLSearchParams: its `+` for a space would read back as a literal `+` here.
  url.search = `?${SignalingQueryParam.token}=${encodeURIComponent(target.token)}&${SignalingQueryParam.force}=${String(target.force ?? false)}`;
  return url.toString();
}

export interface SignalingTarget {
  /** null on the plain `/signaling/v1` path. */
  readonly tenantId: string | null;
  /** null when the `token` parameter is absent or empty: the server refuses such a socket. */
  readonly token: string | null;
  /** Only the literal `true` forces; anything else (or nothing) does not, as WebTrit's docs default it. */
  readonly force: boolean;
}

const tenantPath = new RegExp(`^/${TENANT_PATH_SEGMENT}/([^/]+)${SIGNALING_PATH}/?$`);
const plainPath = new RegExp(`^${SIGNALING_PATH}/?$`);

/**
 * Reads an upgrade request's target (`/tenant/acme/signaling/v1?token=…&force=true`). Returns undefined
 * when the path is not a signaling path. A `+` in the token is kept as `+`: the Vue dialer does not
 * percent-encode tokens, so form-style decoding would turn it into a space.
 */
export function parseSignalingTarget(requestTarget: string): SignalingTarget | undefined {
  const queryStart = requestTarget.indexOf('?');
  const path = queryStart === -1 ? requestTarget : requestTarget.slice(0, queryStart);
  const query = queryStart === -1 ? '' : requestTarget.slice(queryStart + 1);
  let tenantId: string | null = null;
  const tenantMatch = tenantPath.exec(path);
  if (tenantMatch) {
    const decoded = decodeComponent(tenantMatch[1] ?? '');
    if (decoded === undefined || decoded === '') return undefined;
    tenantId = decoded;
  } else if (!plainPath.test(path)) {
    return undefined;
  }
  const params = new Map<string, string>();
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeComponent(eq === -1 ? pair : pair.slice(0, eq));
    const value = decodeComponent(eq === -1 ? '' : pair.slice(eq + 1));
    // The first occurrence wins, so a later duplicate cannot override the token a proxy validated.
    if (name !== undefined && value !== undefined && !params.has(name)) params.set(name, value);
  }
  const token = params.get(SignalingQueryParam.token);
  return {
    tenantId,
    token: token === undefined || token === '' ? null : token,
    force: params.get(SignalingQueryParam.force) === 'true',
  };
}

function decodeComponent(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
