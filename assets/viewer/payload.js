// payload.js: the plaintext of wave and audio frames (docs/telehealth.md,
// "Payloads"): sent (u64 BE, unix ms), then chunks of handle (uvarint),
// seq (uvarint), first-sample time (signed varint, ms relative to sent),
// flags (u8), the first sample (signed varint), byte length (uvarint) and
// the samples minus the first (modulo 2^32) as wavecodec v1.

import { Version, decode, uvarint } from './wavecodec.js';

/** Chunk flags (devices.ChunkFlags). */
export const Flags = Object.freeze({ GapBefore: 1, LeadOff: 2, Questionable: 4 });

/** A wave or audio payload that does not parse. */
export class PayloadError extends Error {}

/** Bounds as wire.ReadWaves: chunks per payload, samples in all. */
export const MaxChunks = 1024;
export const MaxSamples = 1 << 16;

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
  const hi = dv.getUint32(0);
  if (hi >= 2 ** 31) throw new PayloadError('sent time out of range');
  const sent = hi * 2 ** 32 + dv.getUint32(4);
  // First the headers and sample counts, so a forged payload is refused
  // before anything is decoded; then the samples.
  const spans = [];
  let total = 0;
  let off = 8;
  while (off < p.length) {
    if (spans.length >= MaxChunks) throw new PayloadError(`more than ${MaxChunks} chunks`);
    const at = (what) => `chunk ${spans.length}: ${what}`;
    const h = uvarint(p, off);
    if (h.n <= 0 || h.value > 0xffffffff) throw new PayloadError(at('bad handle'));
    off += h.n;
    const seq = uvarint(p, off);
    if (seq.n <= 0) throw new PayloadError(at('bad seq'));
    off += seq.n;
    const t = varint(p, off);
    if (t.n <= 0 || sent + t.value < 0 || sent + t.value > 2 ** 63) throw new PayloadError(at('bad time'));
    off += t.n;
    if (off >= p.length) throw new PayloadError(at('no flags'));
    const flags = p[off++];
    const first = varint(p, off);
    if (first.n <= 0 || first.value < -2147483648 || first.value > 2147483647) throw new PayloadError(at('bad first sample'));
    off += first.n;
    const len = uvarint(p, off);
    if (len.n <= 0 || len.value === 0 || len.value > p.length - off - len.n) throw new PayloadError(at('bad length'));
    off += len.n;
    const enc = p.subarray(off, off + len.value);
    off += len.value;
    const count = uvarint(enc, 1);
    if (enc[0] !== Version || count.n <= 0 || count.value > enc.length * 8) throw new PayloadError(at('not wavecodec version 1'));
    total += count.value;
    if (total > MaxSamples) throw new PayloadError(`over ${MaxSamples} samples`);
    spans.push({ handle: h.value, seq: seq.value, time: sent + t.value, flags, first: first.value, enc });
  }
  const chunks = spans.map((s, i) => {
    try {
      const samples = decode(s.enc);
      for (let j = 0; j < samples.length; j++) samples[j] = (samples[j] + s.first) | 0; // modulo 2^32, as Go
      return { handle: s.handle, seq: s.seq, time: s.time, flags: s.flags, samples };
    } catch (e) {
      throw new PayloadError(`chunk ${i}: ${e.message}`);
    }
  });
  return { sent, chunks };
}
