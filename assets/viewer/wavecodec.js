// wavecodec.js: decodes storage/wavecodec version 1 (Encode), the format of
// live chunks: version byte, uvarint sample count, then per block of 64
// samples a 6-bit Rice parameter k and each zigzagged second-order residual
// as its quotient in unary (ones ended by a zero) and k low bits; a
// quotient of 24 or more is 24 ones and the residual in 34 raw bits. The
// stream is zero-padded to a byte. Numbers stay below 2^53, so plain JS
// arithmetic is exact (no 32-bit bitwise operators on residuals).

export const Version = 1;

const blockSize = 64;
const kBits = 6;
const maxK = 33;
const escapeQ = 24;
const rawBits = 34;
const minInt32 = -2147483648;
const maxInt32 = 2147483647;

/** A waveform encoding that does not decode. */
export class CodecError extends Error {}

/** Reads a uvarint like Go's binary.Uvarint: {value, n}; n <= 0 on error. */
export function uvarint(b, off) {
  let x = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (off + i >= b.length) return { value: 0, n: 0 };
    const c = b[off + i];
    if (c < 0x80) {
      if (i === 9 && c > 1) return { value: 0, n: -(i + 1) }; // overflows 64 bits
      return { value: x + c * mul, n: i + 1 };
    }
    x += (c & 0x7f) * mul;
    mul *= 128;
  }
  return { value: 0, n: -11 };
}

class BitReader {
  constructor(b, off) {
    this.b = b;
    this.pos = off * 8; // next bit
    this.end = b.length * 8;
  }

  bit() {
    const p = this.pos++;
    return (this.b[p >> 3] >> (7 - (p & 7))) & 1;
  }

  // read returns nb bits as a number, or -1 if the stream is too short.
  read(nb) {
    if (this.end - this.pos < nb) return -1;
    let v = 0;
    while (nb >= 8 && (this.pos & 7) === 0) {
      v = v * 256 + this.b[this.pos >> 3];
      this.pos += 8;
      nb -= 8;
    }
    for (; nb > 0; nb--) v = v * 2 + this.bit();
    return v;
  }

  // residual reads a Rice-coded residual with parameter k, or -1.
  residual(k) {
    let ones = 0;
    for (;;) {
      if (this.pos >= this.end) return -1; // the terminating zero is missing
      if (this.bit() === 0) break;
      if (++ones === escapeQ) return this.read(rawBits);
    }
    const low = this.read(k);
    if (low < 0) return -1;
    return ones * 2 ** k + low;
  }

  // atPaddedEnd: fewer than 8 bits left, all zero.
  atPaddedEnd() {
    if (this.end - this.pos >= 8) return false;
    while (this.pos < this.end) if (this.bit() !== 0) return false;
    return true;
  }
}

function unzigzag(u) {
  // u < 2^34: halve exactly, the low bit gives the sign.
  const half = Math.floor(u / 2);
  return u % 2 === 0 ? half : -half - 1;
}

/**
 * Decodes a version 1 encoding to an Int32Array. Throws CodecError with a
 * message like Go's when the input is not a valid encoding.
 */
export function decode(src) {
  if (!(src instanceof Uint8Array) || src.length === 0) throw new CodecError('decode waveform: empty input');
  if (src[0] !== Version) throw new CodecError(`decode waveform: version ${src[0]}`);
  const { value: count, n } = uvarint(src, 1);
  if (n <= 0) throw new CodecError('decode waveform: bad sample count');
  const bodyBytes = src.length - 1 - n;
  // Every sample costs at least one bit: a larger count is a lie.
  if (count > bodyBytes * 8) throw new CodecError(`decode waveform: ${count} samples in ${bodyBytes} bytes`);
  const out = new Int32Array(count);
  const r = new BitReader(src, 1 + n);
  let p1 = 0;
  let p2 = 0;
  for (let start = 0; start < count; start += blockSize) {
    const end = Math.min(start + blockSize, count);
    const k = r.read(kBits);
    if (k < 0 || k > maxK) throw new CodecError(`decode waveform: block at sample ${start}: bad parameter`);
    for (let i = start; i < end; i++) {
      const u = r.residual(k);
      if (u < 0) throw new CodecError(`decode waveform: sample ${i}: truncated`);
      const pred = i === 0 ? 0 : i === 1 ? p1 : 2 * p1 - p2;
      const v = pred + unzigzag(u);
      if (v < minInt32 || v > maxInt32) throw new CodecError(`decode waveform: sample ${i} out of range`);
      out[i] = v;
      p2 = p1;
      p1 = v;
    }
  }
  if (!r.atPaddedEnd()) throw new CodecError('decode waveform: trailing bytes');
  return out;
}
