// smart-auth.mjs — SMART Backend Services for the test EHR (Telewave's own
// code, Node's built-in crypto only).
//
// Off unless FHIR_PEER_CLIENT_JWKS or FHIR_PEER_TOKEN is set. Then:
//   - GET [/fhir/R4]/.well-known/smart-configuration names the token endpoint;
//   - POST /oauth2/token takes grant_type=client_credentials with a
//     private_key_jwt client assertion (RS384 or ES384) signed by a key of
//     the JWKS file FHIR_PEER_CLIENT_JWKS names; it checks the signature, the
//     kid, iss = sub = FHIR_PEER_CLIENT_ID (default device-app), aud = the
//     token URL (a string, or a one-element array as RFC 7519 allows),
//     exp in the future and at most 5 minutes ahead, and refuses a jti seen
//     before (replay);
//   - every FHIR call except metadata needs `Authorization: Bearer <token>`:
//     a token issued here and not yet expired (FHIR_PEER_TOKEN_TTL seconds,
//     default 300) or the static FHIR_PEER_TOKEN;
//   - POST /oauth2/revoke forgets every issued token (tests use it to stand
//     for a token the EHR dropped before its expiry).

import crypto from 'node:crypto';
import fs from 'node:fs';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const MAX_ASSERTION_LIFETIME_S = 300;
const CLOCK_SKEW_S = 60;
const MAX_FORM = 64 << 10;

export class SmartAuth {
  constructor(env) {
    this.staticToken = env.FHIR_PEER_TOKEN || '';
    this.clientId = env.FHIR_PEER_CLIENT_ID || 'device-app';
    this.ttl = Number.parseInt(env.FHIR_PEER_TOKEN_TTL ?? '300', 10);
    this.keys = env.FHIR_PEER_CLIENT_JWKS ? loadJWKS(env.FHIR_PEER_CLIENT_JWKS) : null;
    this.enabled = Boolean(this.staticToken || this.keys);
    this.tokens = new Map(); // access token -> expiry (ms)
    this.seenJti = new Map(); // jti -> expiry (ms)
    this.origin = '';
  }

  listening(origin) {
    this.origin = origin;
  }

  tokenURL(req) {
    return `http://${req.headers.host ?? this.origin.replace(/^http:\/\//, '')}/oauth2/token`;
  }

  // handle answers the auth endpoints and reports whether it did.
  async handle(req, res, path, prefix) {
    if (!this.enabled) return false;
    if (path === '/.well-known/smart-configuration' || path === prefix + '/.well-known/smart-configuration') {
      if (req.method !== 'GET') return reply(res, 405, { error: 'invalid_request' });
      return reply(res, 200, {
        token_endpoint: this.tokenURL(req),
        token_endpoint_auth_methods_supported: ['private_key_jwt'],
        token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'],
        grant_types_supported: ['client_credentials'],
        scopes_supported: ['system/*.read', 'system/*.write', 'system/*.cruds'],
        capabilities: ['client-confidential-asymmetric'],
      });
    }
    if (path === '/oauth2/revoke' && req.method === 'POST') {
      this.tokens.clear();
      return reply(res, 200, { revoked: true });
    }
    if (path !== '/oauth2/token') return false;
    if (req.method !== 'POST') return reply(res, 405, { error: 'invalid_request' });
    const form = await readForm(req);
    if (!form) return reply(res, 400, { error: 'invalid_request', error_description: 'form body missing or too large' });
    const refusal = this.checkTokenRequest(req, form);
    if (refusal) return reply(res, refusal.status ?? 400, refusal);
    const token = crypto.randomBytes(32).toString('base64url');
    this.purge();
    this.tokens.set(token, Date.now() + this.ttl * 1000);
    return reply(res, 200, {
      access_token: token,
      token_type: 'bearer',
      expires_in: this.ttl,
      scope: form.get('scope') ?? '',
    });
  }

  // checkTokenRequest returns an OAuth error object, or null when the
  // request earns a token.
  checkTokenRequest(req, form) {
    const fail = (error, description, status = 400) => ({ status, error, error_description: description });
    if (form.get('grant_type') !== 'client_credentials') {
      return fail('unsupported_grant_type', 'grant_type must be client_credentials');
    }
    if (!this.keys) return fail('invalid_client', 'this server has no registered client keys', 401);
    if (form.get('client_assertion_type') !== ASSERTION_TYPE) {
      return fail('invalid_client', 'client_assertion_type must be jwt-bearer', 401);
    }
    const parts = (form.get('client_assertion') ?? '').split('.');
    if (parts.length !== 3) return fail('invalid_client', 'client_assertion is not a compact JWS', 401);
    let header;
    let claims;
    try {
      header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      return fail('invalid_client', 'client_assertion header or claims are not JSON', 401);
    }
    if (header.alg !== 'RS384' && header.alg !== 'ES384') {
      return fail('invalid_client', `alg ${header.alg} not supported (RS384, ES384)`, 401);
    }
    const candidates = this.keys.filter(
      (k) => (header.kid === undefined || k.kid === header.kid) && k.alg === header.alg
    );
    if (candidates.length === 0) return fail('invalid_client', 'no registered key matches kid and alg', 401);
    const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
    const sig = Buffer.from(parts[2], 'base64url');
    const ok = candidates.some((k) =>
      crypto.verify('sha384', signed, k.alg === 'ES384' ? { key: k.key, dsaEncoding: 'ieee-p1363' } : k.key, sig)
    );
    if (!ok) return fail('invalid_client', 'client_assertion signature does not verify', 401);

    const now = Date.now() / 1000;
    if (claims.iss !== this.clientId || claims.sub !== this.clientId) {
      return fail('invalid_client', 'iss and sub must both be the client_id', 401);
    }
    const aud = Array.isArray(claims.aud) && claims.aud.length === 1 ? claims.aud[0] : claims.aud;
    const accepted = [this.tokenURL(req), `${this.origin}/oauth2/token`];
    if (typeof aud !== 'string' || !accepted.includes(aud)) {
      return fail('invalid_client', 'aud must be the token URL', 401);
    }
    if (typeof claims.exp !== 'number' || claims.exp <= now - CLOCK_SKEW_S) {
      return fail('invalid_client', 'client_assertion expired or has no exp', 401);
    }
    if (claims.exp > now + MAX_ASSERTION_LIFETIME_S + CLOCK_SKEW_S) {
      return fail('invalid_client', 'exp is more than 5 minutes ahead', 401);
    }
    if (typeof claims.jti !== 'string' || claims.jti === '') return fail('invalid_client', 'jti missing', 401);
    this.purge();
    if (this.seenJti.has(claims.jti)) return fail('invalid_client', 'jti replayed', 401);
    this.seenJti.set(claims.jti, (claims.exp + CLOCK_SKEW_S) * 1000);
    return null;
  }

  // authorized reports whether a FHIR request may proceed.
  authorized(req, fhirPath) {
    if (!this.enabled || fhirPath === '/metadata') return true;
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!m) return false;
    if (this.staticToken && m[1] === this.staticToken) return true;
    const exp = this.tokens.get(m[1]);
    return exp !== undefined && exp > Date.now();
  }

  purge() {
    const now = Date.now();
    for (const [k, exp] of this.tokens) if (exp <= now) this.tokens.delete(k);
    for (const [k, exp] of this.seenJti) if (exp <= now) this.seenJti.delete(k);
  }
}

// loadJWKS reads the client's public keys; each needs kid and alg.
function loadJWKS(path) {
  const jwks = JSON.parse(fs.readFileSync(path, 'utf8'));
  if (!Array.isArray(jwks.keys) || jwks.keys.length === 0) throw new Error(`${path}: no keys`);
  return jwks.keys.map((jwk, i) => {
    const alg = jwk.alg ?? (jwk.kty === 'EC' ? 'ES384' : 'RS384');
    if (alg !== 'RS384' && alg !== 'ES384') throw new Error(`${path}: key ${i}: alg ${alg} not supported`);
    if (alg === 'ES384' && jwk.crv !== 'P-384') throw new Error(`${path}: key ${i}: ES384 needs crv P-384`);
    const { d, p, q, dp, dq, qi, ...pub } = jwk; // never load a private part
    return { kid: jwk.kid, alg, key: crypto.createPublicKey({ key: pub, format: 'jwk' }) };
  });
}

async function readForm(req) {
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded')) return null;
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_FORM) return null;
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function reply(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
  return true;
}
