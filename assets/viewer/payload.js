// payload.js: the plaintext of wave and audio frames (docs/telehealth.md,
// "Payloads"): sent (u64 BE, unix ms), then chunks of handle (uvarint),
// seq (uvarint), first-sample time (signed varint, ms relative to sent),
// flags (u8), byte length (uvarint) and a wavecodec v1 encoding.

import { decode, uvarint } from './wavecodec.js';

/** Chunk flags (devices.ChunkFlags). */
export const Flags = Object.freeze({ GapBefore: 1, LeadOff: 2, Questionable: 4 });

/** A wave or audio payload that does not parse. */
export class PayloadError extends Error {}

/** The most chunks one frame may carry (a frame is at most 64 KiB). */
export const MaxChunks = 4096;

function varint(b, off) {
  const r = uvarint(b, off);
  if (r.n <= 0) return r;
  // Zigzag: even → value/2, odd → -(value+1)/2; exact below 2^53.
  const u = r.value;
  return { value: u % 2 === 0 ? u / 2 : -(u + 1) / 2, n: r.n };
}

/**
 * Reads a wave or audio payload: {sent (unix ms), chunks: [{handle, seq,
 * time (unix ms), flags, samples (Int32Array)}]}. Throws PayloadError.
 */
export function readWaves(p) {
  if (!(p instanceof Uint8Array) || p.length < 8) throw new PayloadError('wave payload shorter than its time');
  const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const sent = dv.getUint32(0) * 2 ** 32 + dv.getUint32(4);
  const chunks = [];
  let off = 8;
  while (off < p.length) {
    if (chunks.length >= MaxChunks) throw new PayloadError(`more than ${MaxChunks} chunks`);
    const at = (what) => `chunk ${chunks.length}: ${what}`;
    const h = uvarint(p, off);
    if (h.n <= 0 || h.value > 0xffffffff) throw new PayloadError(at('bad handle'));
    off += h.n;
    const seq = uvarint(p, off);
    if (seq.n <= 0) throw new PayloadError(at('bad seq'));
    off += seq.n;
    const t = varint(p, off);
    if (t.n <= 0) throw new PayloadError(at('bad time'));
    off += t.n;
    if (off >= p.length) throw new PayloadError(at('no flags'));
    const flags = p[off++];
    const len = uvarint(p, off);
    if (len.n <= 0) throw new PayloadError(at('bad length'));
    off += len.n;
    if (len.value > p.length - off) throw new PayloadError(at(`${len.value} bytes of samples, ${p.length - off} left`));
    let samples;
    try {
      samples = decode(p.subarray(off, off + len.value));
    } catch (e) {
      throw new PayloadError(at(e.message));
    }
    off += len.value;
    chunks.push({ handle: h.value, seq: seq.value, time: sent + t.value, flags, samples });
  }
  return { sent, chunks };
}
