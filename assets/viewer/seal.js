// seal.js: the viewer's half of the telehealth seal (docs/telehealth.md,
// "Keys" and "Frame"): an ephemeral P-256 key, the viewer key kv from
// ECDH + HKDF-SHA256, AES-256-GCM frames with counter nonces, and the
// stream keys of each epoch received in grants. Web Crypto only.

export const Version = 1;
export const MaxFrame = 64 << 10;

/** Frame classes. */
export const Class = Object.freeze({ Wave: 1, Audio: 2, State: 3, Grant: 4, Knock: 5, Viewer: 6 });

/** Nonce senders. */
export const Sender = Object.freeze({ Stream: 0, HostToViewer: 1, ViewerToHost: 2 });

const headerLen = 18;
const keyLen = 65;
const tagLen = 16;
const viewerInfo = new TextEncoder().encode('telewave live v1 viewer');

/**
 * A frame that could not be opened. kind is 'frame' (malformed), 'auth'
 * (wrong key or tampered), 'replay' (counter not above the last accepted)
 * or 'epoch' (no key for the frame's epoch).
 */
export class SealError extends Error {
  constructor(kind, message) {
    super(message);
    this.kind = kind;
  }
}

/** Parses a frame's header; throws SealError('frame') when malformed. */
export function parseHeader(frame) {
  if (!(frame instanceof Uint8Array)) throw new SealError('frame', 'frame is not bytes');
  if (frame.length < headerLen + tagLen) throw new SealError('frame', `frame of ${frame.length} bytes is too short`);
  if (frame.length > MaxFrame) throw new SealError('frame', `frame of ${frame.length} bytes is too long`);
  if (frame[0] !== Version) throw new SealError('frame', `frame version ${frame[0]}`);
  const cls = frame[1];
  if (cls < Class.Wave || cls > Class.Viewer) throw new SealError('frame', `frame class ${cls}`);
  const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const epoch = dv.getUint32(2);
  const sender = dv.getUint32(6);
  const counter = dv.getBigUint64(10);
  let len = headerLen;
  let viewerKey = null;
  if (cls === Class.Knock) {
    if (frame.length < headerLen + keyLen + tagLen) throw new SealError('frame', 'knock frame is too short');
    viewerKey = frame.subarray(headerLen, headerLen + keyLen);
    len += keyLen;
  }
  return { cls, epoch, sender, counter, viewerKey, headerLen: len };
}

function header(cls, epoch, sender, counter, viewerKey) {
  const h = new Uint8Array(headerLen + (viewerKey ? keyLen : 0));
  const dv = new DataView(h.buffer);
  h[0] = Version;
  h[1] = cls;
  dv.setUint32(2, epoch);
  dv.setUint32(6, sender);
  dv.setBigUint64(10, counter);
  if (viewerKey) h.set(viewerKey, headerLen);
  return h;
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function jwkOf(b) {
  let bin = '';
  for (const x of b) bin += String.fromCharCode(x);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Computes Z = ECDH(viewer private, host public): the X coordinate, 32 bytes. */
export async function ecdh(viewerPrivate, hostKeyRaw) {
  let hostPublic;
  try {
    hostPublic = await crypto.subtle.importKey('raw', hostKeyRaw, { name: 'ECDH', namedCurve: 'P-256' }, false, []);
  } catch {
    throw new SealError('frame', 'the link\'s key is not a P-256 point');
  }
  return new Uint8Array(await crypto.subtle.deriveBits({ name: 'ECDH', public: hostPublic }, viewerPrivate, 256));
}

/**
 * Derives kv = HKDF-SHA256(ikm = ECDH(viewer private, host public),
 * salt = sid, info = "telewave live v1 viewer") as 32 raw bytes.
 */
export async function deriveViewerKey(viewerPrivate, hostKeyRaw, sidBytes) {
  const z = await ecdh(viewerPrivate, hostKeyRaw);
  const ikm = await crypto.subtle.importKey('raw', z, 'HKDF', false, ['deriveBits']);
  const kv = await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: sidBytes, info: viewerInfo }, ikm, 256);
  return new Uint8Array(kv);
}

function aesKey(raw) {
  return crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

async function open(key, frame, h, sid) {
  const ad = concat(frame.subarray(0, h.headerLen), sid);
  const iv = frame.subarray(6, 18);
  try {
    const pt = await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: ad, tagLength: 128 }, key, frame.subarray(h.headerLen));
    return new Uint8Array(pt);
  } catch {
    throw new SealError('auth', `class ${h.cls} frame does not open`);
  }
}

async function seal(key, hdr, sid, payload) {
  const ad = concat(hdr, sid);
  const iv = hdr.subarray(6, 18);
  const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: ad, tagLength: 128 }, key, payload);
  return concat(hdr, new Uint8Array(ct));
}

/**
 * ViewerSeal is one viewer's keys and counters for one share: it seals the
 * knock and markers with kv, opens grants with kv, and opens stream frames
 * with the stream key of their epoch. Calls must not overlap (the session
 * feeds it one frame at a time), so counter checks and updates stay in
 * order.
 */
export class ViewerSeal {
  /**
   * Makes the seal for an invite ({sidBytes, hostKey}). opts.privateKey
   * (32 bytes) fixes the viewer's key pair, for test vectors only; opts.publicKey
   * (65 bytes) must come with it.
   */
  static async create(invite, opts = {}) {
    const subtle = crypto.subtle;
    if (!subtle) throw new SealError('frame', 'this page needs a secure context (https) for Web Crypto');
    let priv;
    let pub;
    if (opts.privateKey) {
      const x = opts.publicKey.subarray(1, 33);
      const y = opts.publicKey.subarray(33, 65);
      const jwk = { kty: 'EC', crv: 'P-256', d: jwkOf(opts.privateKey), x: jwkOf(x), y: jwkOf(y), ext: false };
      priv = await subtle.importKey('jwk', jwk, { name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
      pub = new Uint8Array(opts.publicKey);
    } else {
      const pair = await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
      priv = pair.privateKey;
      pub = new Uint8Array(await subtle.exportKey('raw', pair.publicKey));
    }
    const kvRaw = await deriveViewerKey(priv, invite.hostKey, invite.sidBytes);
    const s = new ViewerSeal();
    s.sid = new Uint8Array(invite.sidBytes);
    s.publicKey = pub;
    s.kv = await aesKey(kvRaw);
    if (opts.keepRaw) {
      s.kvRaw = kvRaw; // test vectors only
      s.privateKey = priv;
    }
    s.sent = 0n; // last counter sealed under kv (sender 2)
    s.lastGrant = 0n; // last counter opened under kv (sender 1)
    s.cur = null; // the newest epoch's {epoch, raw, key, last}
    s.prev = null; // the epoch before it
    s.epoch = 0; // newest epoch granted
    s.seen = 0; // highest epoch a stream frame was accepted under
    return s;
  }

  /** Seals a knock ({name, client}) as a class 5 frame. */
  async knock(k) {
    this.sent += 1n;
    const hdr = header(Class.Knock, 0, Sender.ViewerToHost, this.sent, this.publicKey);
    return seal(this.kv, hdr, this.sid, new TextEncoder().encode(JSON.stringify(k)));
  }

  /** Seals a viewer message ({marker: {...}}) as a class 6 frame. */
  async seal(msg) {
    this.sent += 1n;
    const hdr = header(Class.Viewer, 0, Sender.ViewerToHost, this.sent, null);
    return seal(this.kv, hdr, this.sid, new TextEncoder().encode(JSON.stringify(msg)));
  }

  /** Opens a class 4 grant, installs its stream key and returns it. */
  async openGrant(frame) {
    const h = parseHeader(frame);
    if (h.cls !== Class.Grant) throw new SealError('frame', `class ${h.cls} is not a grant`);
    if (h.sender !== Sender.HostToViewer || h.epoch !== 0) throw new SealError('frame', 'grant header');
    if (h.counter <= this.lastGrant) throw new SealError('replay', `grant counter ${h.counter} not above ${this.lastGrant}`);
    const pt = await open(this.kv, frame, h, this.sid);
    this.lastGrant = h.counter;
    let g;
    try {
      g = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(pt));
    } catch (e) {
      throw new SealError('frame', `grant: ${e.message}`);
    }
    const epoch = g && g.epoch;
    if (!Number.isInteger(epoch) || epoch < 1 || epoch > 0xffffffff || typeof g.key !== 'string') {
      throw new SealError('frame', 'grant has no epoch or key');
    }
    let raw;
    try {
      raw = Uint8Array.from(atob(g.key), (c) => c.charCodeAt(0));
    } catch {
      throw new SealError('frame', 'grant key is not base64');
    }
    if (raw.length !== 32) throw new SealError('frame', `grant key of ${raw.length} bytes`);
    await this.install(epoch, raw);
    return g;
  }

  // install makes an epoch's key the current one and keeps the previous
  // epoch's key for frames sealed just before a rekey (as wire.Viewer).
  async install(epoch, raw) {
    const cur = this.cur;
    if (cur) {
      if (epoch === cur.epoch && cur.raw.every((b, i) => b === raw[i])) return; // a repeated grant, new snapshot
      if (epoch === cur.epoch) throw new SealError('frame', `epoch ${epoch} granted again with another key`);
      if (epoch < cur.epoch) throw new SealError('replay', `epoch ${epoch} after epoch ${cur.epoch}`);
    }
    const key = await aesKey(raw);
    this.prev = cur;
    this.cur = { epoch, raw, key, last: 0n };
    this.epoch = epoch;
  }

  /** Opens a stream frame (class 1–3) and returns {cls, epoch, payload}. */
  async openStream(frame) {
    const h = parseHeader(frame);
    if (h.cls < Class.Wave || h.cls > Class.State) throw new SealError('frame', `class ${h.cls} is not a stream class`);
    if (h.sender !== Sender.Stream) throw new SealError('frame', `stream frame from sender ${h.sender}`);
    if (h.epoch < this.seen) throw new SealError('replay', `epoch ${h.epoch} after epoch ${this.seen}`);
    const e = [this.cur, this.prev].find((k) => k && k.epoch === h.epoch);
    if (!e) throw new SealError('epoch', `no key for epoch ${h.epoch}`);
    if (h.counter <= e.last) throw new SealError('replay', `counter ${h.counter} not above ${e.last}`);
    const payload = await open(e.key, frame, h, this.sid);
    e.last = h.counter;
    this.seen = h.epoch;
    return { cls: h.cls, epoch: h.epoch, payload };
  }
}
