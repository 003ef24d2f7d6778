// renderer.js: draws the lanes on a <canvas> as the workstation does: a
// calibrated grid (1 mm and 5 mm at 25 mm/s and 10 mm/mV), a 1 mV
// calibration pulse at the start of each ECG lane, the sweeps and the
// erase bar. Sizes are in CSS pixels at 96 per inch (1 mm = 3.7795 CSS
// px), so the scale is only true where the browser's CSS inch is; the page
// says so. The canvas is devicePixelRatio-aware: its backing store has
// device pixels and every line is snapped to them.

import { Sweep } from './sweep.js';

/** CSS pixels per millimetre at 96 per inch. */
export const PxPerMM = 96 / 25.4;
/** Paper speed (mm/s) and ECG gain (mm/mV). */
export const Speed = 25;
export const Gain = 10;
/** The calibration pulse (seconds): baseline, 1 mV step, total. */
export const Pulse = Object.freeze({ lead: 0.05, width: 0.2, total: 0.3 });

const colours = {
  background: '#000000',
  minor: 'rgb(20,28,24)',
  major: 'rgb(34,52,40)',
  ecg: '#00e676',
  pleth: '#00c8ff',
  pressure: '#ff4646',
  respiration: '#ffeb3b',
  audio: '#ffbf00',
  other: '#e0e0e0',
  marker: '#ffffff',
};
const eraseCSS = 14;

/** Colour of a trace of a signal kind. */
export function traceColour(kind) {
  return colours[kind] || colours.other;
}

/**
 * perMV returns what multiplies a signal's physical value into mV for an
 * ECG lane drawn on the calibrated scale, or 0 when the signal is not in a
 * voltage unit and its lane is fitted to its range instead.
 */
export function perMV(sig) {
  if (sig.kind !== 'ecg') return 0;
  return { mV: 1, uV: 1e-3, 'µV': 1e-3, V: 1e3 }[sig.unit] || 0;
}

/** Renderer owns the canvas, the lanes and their sweeps. */
export class Renderer {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d', { alpha: false });
    this.lanes = []; // {key, sig, label, colour, mv, lo, hi, sweep, top, height, base}
    this.markers = [];
    this.cssW = 0;
    this.cssH = 0;
    this.dpr = 0;
    this.grid = null;
    this.generation = 0; // bumped by every layout, so callers can refresh what they derived
  }

  /** Sets the wave signals shown (array of {key, sig}); keeps sweeps of kept keys. */
  setSignals(list) {
    const old = new Map(this.lanes.map((l) => [l.key, l]));
    this.lanes = list.map(({ key, sig }) => {
      const prev = old.get(key);
      if (prev && prev.sig.rate === sig.rate) {
        prev.sig = sig;
        return prev;
      }
      const phys = (c) => (c - (sig.baseline || 0)) * (sig.scale || 1);
      let lo = phys(sig.min);
      let hi = phys(sig.max);
      if (!(hi > lo)) [lo, hi] = [-1, 1];
      return { key, sig, label: sig.label || sig.id, colour: traceColour(sig.kind), mv: perMV(sig), lo, hi, sweep: null };
    });
    this.layout(true);
  }

  /** Adds a chunk's physical values to the lane of key. */
  add(key, t0, values, rate, gap) {
    const l = this.lanes.find((x) => x.key === key);
    if (!l) return false;
    if (!l.sweep) this.layout(true);
    if (l.sweep) l.sweep.add(t0, values, rate, gap);
    return true;
  }

  // layout sizes the backing store and lanes to the canvas's CSS box.
  layout(force) {
    const dpr = window.devicePixelRatio || 1;
    const w = this.canvas.clientWidth;
    const h = this.canvas.clientHeight;
    if (!force && w === this.cssW && h === this.cssH && dpr === this.dpr) return;
    this.cssW = w;
    this.cssH = h;
    this.dpr = dpr;
    this.canvas.width = Math.max(1, Math.round(w * dpr));
    this.canvas.height = Math.max(1, Math.round(h * dpr));
    const mm5 = 5 * PxPerMM;
    const n = Math.max(1, this.lanes.length);
    // Lanes are whole multiples of 5 mm so every ECG baseline lies on a
    // major line; 40 mm holds -1.5 … +2.5 mV.
    const laneH = Math.max(2, Math.min(8, Math.floor(h / n / mm5))) * mm5;
    this.x0 = Pulse.total * Speed * PxPerMM; // CSS px: the sweep starts after the pulse
    const sweepCols = Math.max(1, Math.round((w - this.x0) * dpr));
    const pxPerSecond = Speed * PxPerMM * dpr;
    this.lanes.forEach((l, i) => {
      l.top = i * laneH;
      l.height = laneH;
      l.base = l.top + Math.round((laneH * 0.625) / mm5) * mm5;
      const pps = pxPerSecond / l.sig.rate;
      if (!l.sweep || l.sweep.width !== sweepCols || l.sweep.pxPerSample !== pps) l.sweep = new Sweep(sweepCols, pps);
    });
    this.grid = this.drawGrid();
    this.generation++;
  }

  drawGrid() {
    const g = document.createElement('canvas');
    g.width = this.canvas.width;
    g.height = this.canvas.height;
    const c = g.getContext('2d', { alpha: false });
    c.fillStyle = colours.background;
    c.fillRect(0, 0, g.width, g.height);
    const step = PxPerMM * this.dpr;
    for (const [colour, every] of [[colours.minor, 1], [colours.major, 5]]) {
      c.fillStyle = colour;
      for (let k = 0; k * step < g.width; k += every) c.fillRect(Math.round(k * step), 0, 1, g.height);
      for (let k = 0; k * step < g.height; k += every) c.fillRect(0, Math.round(k * step), g.width, 1);
    }
    return g;
  }

  // y returns the CSS-px row of a physical value in lane l.
  y(l, v) {
    if (l.mv) return l.base - v * l.mv * Gain * PxPerMM;
    const pad = l.height * 0.08;
    return l.top + pad + (1 - (v - l.lo) / (l.hi - l.lo)) * (l.height - 2 * pad);
  }

  /**
   * Draws a frame and returns the host time (ms) of the newest sample
   * drawn in each lane, keyed by lane key.
   */
  draw() {
    this.layout(false);
    const c = this.ctx;
    const d = this.dpr;
    c.setTransform(1, 0, 0, 1, 0, 0);
    if (this.grid) c.drawImage(this.grid, 0, 0);
    const newest = {};
    const x0 = Math.round(this.x0 * d);
    const thick = Math.max(1, Math.round(1.5 * d));
    for (const l of this.lanes) {
      const top = Math.round(l.top * d);
      const bottom = Math.round((l.top + l.height) * d);
      c.fillStyle = l.colour;
      if (l.mv) this.drawPulse(l, thick);
      const s = l.sweep;
      if (!s) continue;
      for (let x = 0; x < s.width; x++) {
        if (!s.valid[x]) continue;
        const ya = Math.max(top, Math.round(this.y(l, s.hi[x]) * d));
        const yb = Math.min(bottom, Math.round(this.y(l, s.lo[x]) * d) + thick);
        if (yb > ya) c.fillRect(x0 + x, ya, 1, yb - ya);
      }
      if (s.head >= 0) {
        c.fillStyle = colours.background;
        const ew = Math.round(eraseCSS * d);
        const start = s.head + 1;
        const first = Math.min(ew, s.width - start);
        if (first > 0) c.fillRect(x0 + start, top, first, bottom - top);
        if (ew - Math.max(first, 0) > 0) c.fillRect(x0, top, ew - Math.max(first, 0), bottom - top);
        newest[l.key] = s.lastTime;
      }
      this.drawMarkers(l, x0, top);
      c.fillStyle = l.colour;
      c.font = `${Math.round(12 * d)}px sans-serif`;
      c.textBaseline = 'top';
      c.fillText(l.mv ? `${l.label}  10 mm/mV` : l.label, x0 + Math.round(4 * d), top + Math.round(3 * d));
    }
    return newest;
  }

  drawPulse(l, thick) {
    const c = this.ctx;
    const d = this.dpr;
    const pps = Speed * PxPerMM;
    const yb = Math.round(l.base * d);
    const yp = Math.round(this.y(l, 1 / l.mv) * d);
    const xs = (t) => Math.round(t * pps * d);
    const x1 = xs(Pulse.lead);
    const x2 = xs(Pulse.lead + Pulse.width);
    const x3 = xs(Pulse.total);
    c.fillRect(0, yb, x1, thick);
    c.fillRect(x1, yp, thick, yb - yp + thick);
    c.fillRect(x1, yp, x2 - x1, thick);
    c.fillRect(x2, yp, thick, yb - yp + thick);
    c.fillRect(x2, yb, x3 - x2, thick);
  }

  // drawMarkers ticks each remote marker that lies on the lane's sweep.
  drawMarkers(l, x0, top) {
    const c = this.ctx;
    const d = this.dpr;
    for (const m of this.markers) {
      if (m.device !== l.sig.device || m.signal !== l.sig.id) continue;
      const x = this.columnAt(l, m.t);
      if (x < 0) continue;
      c.fillStyle = colours.marker;
      c.fillRect(x0 + x, top, Math.max(1, Math.round(2 * d)), Math.round(10 * d));
    }
  }

  /** columnAt returns the sweep column whose sample time is nearest t (ms), or -1. */
  columnAt(l, t) {
    const s = l.sweep;
    if (!s) return -1;
    let best = -1;
    let bestD = 1000 / l.sig.rate + 1;
    for (let x = 0; x < s.width; x++) {
      if (!s.valid[x]) continue;
      const dt = Math.abs(s.time[x] - t);
      if (dt < bestD) {
        bestD = dt;
        best = x;
      }
    }
    return best;
  }

  /**
   * hit maps a click (CSS px relative to the canvas) to a beat: the lane
   * under it and the time of the highest sample within 120 ms of the
   * clicked column (an R wave, a pulse peak). Returns null off the trace.
   */
  hit(cx, cy) {
    const l = this.lanes.find((x) => cy >= x.top && cy < x.top + x.height);
    if (!l || !l.sweep) return null;
    const s = l.sweep;
    const col = Math.round((cx - this.x0) * this.dpr);
    if (col < 0 || col >= s.width) return null;
    const reach = Math.round(0.12 * Speed * PxPerMM * this.dpr);
    let best = -1;
    for (let x = col - reach; x <= col + reach; x++) {
      const k = (x + s.width) % s.width;
      if (s.valid[k] && (best < 0 || s.hi[k] > s.hi[best])) best = k;
    }
    if (best < 0) return null;
    return { lane: l, t: Math.round(s.time[best]), column: best };
  }
}
