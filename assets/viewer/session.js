// session.js: the viewer's link to a share through the relay
// (docs/telehealth.md, "Relay envelope"): connect, knock, wait for the
// grant, then open stream frames one at a time in arrival order (so the
// counter checks see them in order) and follow rekeys. On a close it says
// why and reconnects politely with backoff where that can help.

import { Class, SealError, ViewerSeal, parseHeader } from './seal.js';

const Op = Object.freeze({ Send: 0x11, Frame: 0x91, Admitted: 0x92 });

/** Close codes and what the viewer is told. final: no reconnect. */
export const CloseReasons = Object.freeze({
  4001: { text: 'removed by the clinician', final: true },
  4002: { text: 'share ended', final: false },
  4003: { text: 'invite expired', final: true },
  4004: { text: 'no such share', final: false },
  4008: { text: 'the connection was too slow or sent too much', final: false },
  4009: { text: 'refused by the relay', final: true },
});

const backoff = [1, 2, 4, 8, 15, 30, 30, 30]; // seconds; then give up

/**
 * Session drives one viewer. Callbacks (all optional): onPhase(phase,
 * text), onGrant(grant), onStream(cls, payload), onBadFrame(kind, err).
 * Phases: connecting, waiting, watching, reconnecting, ended, failed.
 */
export class Session {
  constructor(invite, name, cb = {}, opts = {}) {
    this.invite = invite;
    this.name = name;
    this.cb = cb;
    this.waitMs = opts.waitMs || 120000;
    this.WebSocket = opts.WebSocket || WebSocket;
    this.seal = null;
    this.ws = null;
    this.granted = false;
    this.everGranted = false;
    this.attempt = 0;
    this.queue = Promise.resolve();
    this.timer = 0;
    this.closed = false;
    this.phase = '';
  }

  setPhase(phase, text) {
    this.phase = phase;
    if (this.cb.onPhase) this.cb.onPhase(phase, text);
  }

  /** Starts: connects and knocks. */
  start() {
    this.connect();
  }

  // connect makes a fresh key pair for each connection: the host refuses
  // a viewer key that knocked before, so a reconnecting viewer knocks anew
  // and is admitted again.
  async connect() {
    if (this.closed) return;
    this.granted = false;
    this.setPhase('connecting', 'connecting…');
    let ws;
    try {
      this.seal = await ViewerSeal.create(this.invite);
      ws = new this.WebSocket(this.invite.viewerURL);
    } catch (e) {
      this.closed = true;
      this.setPhase('failed', `could not join: ${e.message}`);
      return;
    }
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => this.knock(ws);
    ws.onmessage = (ev) => {
      if (ws !== this.ws || !(ev.data instanceof ArrayBuffer)) return;
      const msg = new Uint8Array(ev.data);
      this.queue = this.queue.then(() => this.receive(msg)).catch((e) => this.bad('frame', e));
    };
    ws.onclose = (ev) => {
      if (ws === this.ws) this.closedWith(ev.code, ev.reason);
    };
  }

  async knock(ws) {
    try {
      const frame = await this.seal.knock({ name: this.name, client: 'browser' });
      this.send(ws, frame);
    } catch (e) {
      this.setPhase('failed', `could not join: ${e.message}`);
      return;
    }
    this.setPhase('waiting', 'waiting for the clinician to admit you');
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (this.granted || ws !== this.ws) return;
      this.closed = true;
      ws.close(1000);
      this.setPhase('failed', 'could not join: no answer from the clinician. The link may be wrong or incomplete, or nobody admitted you; ask for a new invite.');
    }, this.waitMs);
  }

  send(ws, frame) {
    const msg = new Uint8Array(1 + frame.length);
    msg[0] = Op.Send;
    msg.set(frame, 1);
    ws.send(msg);
  }

  /** Sends a viewer message ({marker}) sealed with kv. */
  async message(m) {
    if (!this.granted || !this.ws || this.ws.readyState !== 1) throw new Error('not admitted');
    this.send(this.ws, await this.seal.seal(m));
  }

  async receive(msg) {
    if (msg.length === 0) return this.bad('frame', new Error('empty message'));
    if (msg[0] === Op.Admitted) return undefined;
    if (msg[0] !== Op.Frame) return this.bad('frame', new Error(`relay op ${msg[0]}`));
    const frame = msg.subarray(1);
    try {
      const h = parseHeader(frame);
      if (h.cls === Class.Grant) {
        const g = await this.seal.openGrant(frame);
        this.granted = true;
        this.everGranted = true;
        this.attempt = 0;
        clearTimeout(this.timer);
        if (this.cb.onGrant) this.cb.onGrant(g);
        this.setPhase('watching', '');
        return undefined;
      }
      const { cls, payload } = await this.seal.openStream(frame);
      if (this.cb.onStream) this.cb.onStream(cls, payload);
    } catch (e) {
      this.bad(e instanceof SealError ? e.kind : 'frame', e);
    }
    return undefined;
  }

  bad(kind, err) {
    if (this.cb.onBadFrame) this.cb.onBadFrame(kind, err);
  }

  closedWith(code, reason) {
    clearTimeout(this.timer);
    this.ws = null;
    this.granted = false;
    if (this.closed) return;
    const r = CloseReasons[code] || { text: reason || `connection lost (${code})`, final: false };
    const neverIn = code === 4004 && !this.everGranted;
    if (r.final || neverIn || this.attempt >= backoff.length) {
      this.closed = true;
      const joined = this.everGranted ? '' : 'could not join: ';
      this.setPhase(this.everGranted ? 'ended' : 'failed', joined + r.text);
      return;
    }
    const wait = backoff[this.attempt++];
    this.setPhase('reconnecting', `${r.text} — reconnecting in ${wait} s`);
    this.timer = setTimeout(() => this.connect(), wait * 1000);
  }

  /** Stops for good. */
  close() {
    this.closed = true;
    clearTimeout(this.timer);
    if (this.ws) this.ws.close(1000);
  }
}
