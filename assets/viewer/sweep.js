// sweep.js: one lane's sweep, as on the workstation: samples land in fixed
// pixel columns that the head sweeps across left to right and wraps, each
// column holding the min–max envelope of its samples joined to the
// previous column's last value. A gap leaves the columns it passes over
// empty, so the trace shows a break. Pure data: no canvas here.

export class Sweep {
  /**
   * width: columns; pxPerSample: columns advanced per sample (rate-dependent).
   */
  constructor(width, pxPerSample) {
    this.width = Math.max(1, width | 0);
    this.pxPerSample = pxPerSample;
    this.lo = new Float32Array(this.width);
    this.hi = new Float32Array(this.width);
    this.time = new Float64Array(this.width); // host ms of the column's last sample
    this.value = new Float32Array(this.width); // the column's last sample
    this.valid = new Uint8Array(this.width);
    this.index = 0; // next sample number
    this.head = -1; // column of the last sample
    this.last = NaN; // last sample value (NaN after a gap)
    this.nextTime = NaN; // expected host ms of the next sample
    this.lastTime = NaN; // host ms of the newest sample
  }

  columnOf(n) {
    return Math.floor(n * this.pxPerSample) % this.width;
  }

  /**
   * Adds samples (physical values) starting at host time t0 (ms) at rate
   * Hz. gap says the source lost samples before these: the columns between
   * the last sample and t0 are emptied.
   */
  add(t0, values, rate, gap) {
    if (values.length === 0) return;
    const dt = 1000 / rate;
    if (Number.isFinite(this.nextTime) && (gap || t0 - this.nextTime > 2 * dt)) {
      const missing = Math.round((t0 - this.nextTime) / dt);
      this.skip(missing > 0 ? missing : 0);
    } else if (gap) {
      this.last = NaN;
    }
    for (let i = 0; i < values.length; i++) this.push(values[i], t0 + i * dt);
    this.nextTime = t0 + values.length * dt;
  }

  // skip empties the columns the missing samples would have filled.
  skip(missing) {
    const cols = Math.ceil(missing * this.pxPerSample);
    if (cols >= this.width) {
      this.valid.fill(0);
    } else {
      for (let c = 1; c <= cols; c++) this.valid[(this.head + c + this.width) % this.width] = 0;
    }
    this.index += missing;
    this.last = NaN;
  }

  push(v, t) {
    const x = this.columnOf(this.index++);
    if (x !== this.head) {
      // Entering new columns: the stroke runs from the previous value to
      // v across them, so it stays connected where samples are sparser
      // than columns.
      const broken = this.head < 0 || Number.isNaN(this.last);
      const steps = broken ? 1 : (x - this.head + this.width) % this.width;
      const from = broken ? v : this.last;
      const tFrom = broken ? t : this.lastTime;
      let prev = from;
      for (let j = 1; j <= steps; j++) {
        const c = (x - steps + j + this.width) % this.width;
        const cur = from + ((v - from) * j) / steps;
        this.lo[c] = Math.min(prev, cur);
        this.hi[c] = Math.max(prev, cur);
        this.valid[c] = 1;
        this.time[c] = tFrom + ((t - tFrom) * j) / steps;
        this.value[c] = cur;
        prev = cur;
      }
      this.head = x;
    } else {
      if (v < this.lo[x]) this.lo[x] = v;
      if (v > this.hi[x]) this.hi[x] = v;
      this.time[x] = t;
      this.value[x] = v;
      this.valid[x] = 1;
    }
    this.last = v;
    this.lastTime = t;
  }
}
