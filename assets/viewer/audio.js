// audio.js: plays the stethoscope through Web Audio without gaps. Each
// decoded chunk becomes an AudioBuffer at the signal's own rate (4 kHz;
// the browser resamples) scheduled right after the previous one, about
// 150 ms ahead of the clock so network jitter does not starve it. When the
// queue runs dry the next chunk starts a fresh 150 ms ahead (an underrun);
// when it grows past half a second (the host's and the sound card's clocks
// drift apart) a chunk is skipped to pull it back.

const jitter = 0.15; // seconds scheduled ahead when (re)starting
const maxAhead = 0.5; // seconds queued before chunks are skipped

export class AudioPlayer {
  constructor() {
    this.ctx = null;
    this.gain = null;
    this.next = 0; // context time the next buffer starts
    this.volume = 0.8;
    this.muted = false;
    this.started = -1; // context time playing began
    this.stats = { playing: false, state: 'off', scheduledSeconds: 0, underruns: 0, skipped: 0, bufferedSeconds: 0, rate: 0 };
  }

  /** Opens the AudioContext (needs a user gesture unless autoplay is allowed). */
  open() {
    if (this.ctx) return;
    const AC = window.AudioContext || window.webkitAudioContext;
    if (!AC) {
      this.stats.state = 'unsupported';
      return;
    }
    this.ctx = new AC({ latencyHint: 'interactive' });
    this.gain = this.ctx.createGain();
    this.gain.connect(this.ctx.destination);
    this.applyVolume();
    this.ctx.onstatechange = () => this.update();
    this.resume();
  }

  /** Resumes a suspended context (call from a click when autoplay was refused). */
  resume() {
    if (this.ctx && this.ctx.state === 'suspended') this.ctx.resume().catch(() => {});
  }

  setVolume(v) {
    this.volume = Math.min(1, Math.max(0, v));
    this.applyVolume();
  }

  setMuted(m) {
    this.muted = !!m;
    this.applyVolume();
  }

  applyVolume() {
    if (this.gain) this.gain.gain.value = this.muted ? 0 : this.volume;
  }

  /** Queues a chunk of counts at rate Hz; scale turns counts into −1…1. */
  push(counts, rate, scale) {
    if (!this.ctx || counts.length === 0 || !(rate >= 3000 && rate <= 768000)) return;
    const now = this.ctx.currentTime;
    const dur = counts.length / rate;
    if (this.next - now > maxAhead) {
      this.stats.skipped++;
      this.update();
      return;
    }
    if (this.next < now + 0.005) {
      // Starved (or the first chunk): start again a jitter buffer ahead.
      // The first second after playing began is the warm-up, not counted.
      if (this.started >= 0 && now - this.started > 1) this.stats.underruns++;
      this.next = now + jitter;
      if (this.started < 0) this.started = now;
    }
    const buf = this.ctx.createBuffer(1, counts.length, rate);
    const ch = buf.getChannelData(0);
    for (let i = 0; i < counts.length; i++) ch[i] = Math.max(-1, Math.min(1, counts[i] * scale));
    const src = this.ctx.createBufferSource();
    src.buffer = buf;
    src.connect(this.gain);
    src.start(this.next);
    this.next += dur;
    this.stats.scheduledSeconds += dur;
    this.stats.rate = rate;
    this.update();
  }

  /** Refreshes the exposed state (also called each animation frame). */
  update() {
    const s = this.stats;
    if (!this.ctx) return s;
    s.state = this.ctx.state;
    s.bufferedSeconds = Math.max(0, this.next - this.ctx.currentTime);
    s.playing = this.ctx.state === 'running' && s.bufferedSeconds > 0;
    return s;
  }

  close() {
    if (this.ctx) this.ctx.close().catch(() => {});
    this.ctx = null;
    this.stats.playing = false;
    this.stats.state = 'closed';
  }
}
