// link.js: the invite link. The host's public key and the expiry travel in
// the URL fragment, which the browser never sends to a server; the session
// id is the last path element (/v/<sid>).

/** Decodes base64url (padding optional) to bytes; throws on bad input. */
export function fromBase64url(s) {
  if (typeof s !== 'string' || !/^[A-Za-z0-9_-]*={0,2}$/.test(s)) {
    throw new Error('not base64url');
  }
  const std = s.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
  if (std.length % 4 === 1) throw new Error('base64url length');
  const bin = atob(std + '==='.slice((std.length + 3) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Decodes standard base64 (as Go's encoding/json writes []byte). */
export function fromBase64(s) {
  if (typeof s !== 'string') throw new Error('not base64');
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Encodes bytes as base64url without padding. */
export function toBase64url(b) {
  let bin = '';
  for (const x of b) bin += String.fromCharCode(x);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Parses the viewer page's location into an invite:
 * {sid (string), sidBytes (16), hostKey (65), expires (unix s), viewerURL, name}.
 * Throws an Error whose message says what is wrong with the link.
 */
export function parseInvite(href) {
  const u = new URL(href);
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('the link is not a web link');
  const m = u.pathname.match(/\/v\/([A-Za-z0-9_-]{22})\/?$/);
  if (!m) throw new Error('the link has no session id');
  const sid = m[1];
  const sidBytes = fromBase64url(sid);
  if (sidBytes.length !== 16) throw new Error('the session id is not 16 bytes');
  const frag = new URLSearchParams(u.hash.replace(/^#/, ''));
  const p = frag.get('p');
  if (!p) throw new Error('the link has no key (the part after # was lost)');
  let hostKey;
  try {
    hostKey = fromBase64url(p);
  } catch {
    throw new Error('the link\'s key is damaged');
  }
  if (hostKey.length !== 65 || hostKey[0] !== 4) throw new Error('the link\'s key is damaged');
  const x = frag.get('x');
  const expires = x !== null && /^\d{1,12}$/.test(x) ? Number(x) : 0;
  // The relay's path prefix is everything before /v/<sid>, so a relay
  // behind a reverse proxy under a sub-path still works.
  const prefix = u.pathname.slice(0, u.pathname.length - m[0].length);
  const scheme = u.protocol === 'https:' ? 'wss:' : 'ws:';
  const viewerURL = `${scheme}//${u.host}${prefix}/live/${sid}/view`;
  return { sid, sidBytes, hostKey, expires, viewerURL, name: u.searchParams.get('name') || '' };
}
