// viewer.js: the remote specialist's page. It parses the invite, asks for a
// name, knocks, and once admitted draws the waves, shows numerics and
// alarms and plays the stethoscope. window.telewave = {state, stats}
// exposes what it shows, for tests and for support:
//   state: phase (name, connecting, waiting, watching, reconnecting,
//          ended, failed), message, patient, epoch, viewer, expires,
//          lanes [{key, label, kind, device, signal, top, height, base
//          (the 0 mV row of an ECG lane), colour}]
//          and sweepX (where the sweeps start), in CSS px; alarms, markers;
//   stats: frames, dropped (replayed/reordered), badFrames, unknownChunks,
//          gaps, lastDrawnSampleTime {key: unix ms}, latencies [ms: draw
//          time − host time of the newest drawn sample], audio {playing,
//          state, scheduledSeconds, underruns, skipped, bufferedSeconds},
//          numerics {key: {label, value, unit, status, shown}}, markersSent.

import { AudioPlayer } from './audio.js';
import { parseInvite } from './link.js';
import { Panel } from './panel.js';
import { Flags, readWaves } from './payload.js';
import { Renderer } from './renderer.js';
import { Class } from './seal.js';
import { Session } from './session.js';

const maxLatencies = 20000;
const maxMarkers = 50;

const $ = (id) => document.getElementById(id);
const player = new AudioPlayer();
const panel = new Panel(document);
const renderer = new Renderer($('waves'));
const state = { phase: 'name', message: '', patient: null, epoch: 0, viewer: 0, expires: 0, lanes: [], sweepX: 0, alarms: [], markers: [] };
const stats = {
  frames: 0, dropped: 0, badFrames: 0, unknownChunks: 0, gaps: 0, markersSent: 0,
  lastDrawnSampleTime: {}, latencies: [], audio: player.stats, numerics: panel.shown, errors: [],
};
window.telewave = { state, stats };

const signals = new Map(); // handle → {key, device, sig}
const lastSeq = new Map(); // handle → seq
let session = null;
let lastMarker = -Infinity;

function setPhase(phase, text) {
  state.phase = phase;
  state.message = text || '';
  $('status').textContent = text || (phase === 'watching' ? 'live' : phase);
  document.body.dataset.phase = phase;
}

function noteBad(kind, err) {
  if (kind === 'replay') stats.dropped++;
  else stats.badFrames++;
  if (stats.errors.length < 20) stats.errors.push(`${kind}: ${err && err.message}`);
}

function applyState(st) {
  if (!st || typeof st !== 'object') return;
  if (Array.isArray(st.signals)) {
    for (const d of st.signals) {
      if (!d || !d.signal || typeof d.h !== 'number') continue;
      signals.set(d.h, { key: `${d.device || ''}/${d.signal.id}`, device: d.device || '', sig: { ...d.signal, device: d.device || '' } });
    }
    const waves = [...signals.entries()].filter(([, s]) => s.sig.kind !== 'audio').sort((a, b) => a[0] - b[0]);
    renderer.setSignals(waves.map(([, s]) => ({ key: s.key, sig: s.sig })));
  }
  if (Array.isArray(st.numerics)) panel.setNumerics(st.numerics);
  if (Array.isArray(st.events)) panel.setEvents(st.events);
  if (Array.isArray(st.alarms)) {
    panel.setAlarms(st.alarms);
    state.alarms = st.alarms;
  }
  if (Array.isArray(st.markers) && st.markers.length) {
    state.markers = state.markers.concat(st.markers).slice(-maxMarkers);
    renderer.markers = state.markers;
  }
}

function onWaves(payload) {
  const { chunks } = readWaves(payload);
  for (const c of chunks) {
    const s = signals.get(c.handle);
    if (!s) {
      stats.unknownChunks++;
      continue;
    }
    const last = lastSeq.get(c.handle);
    const gap = (c.flags & Flags.GapBefore) !== 0 || (last !== undefined && c.seq !== last + 1);
    if (gap) stats.gaps++;
    lastSeq.set(c.handle, c.seq);
    const sig = s.sig;
    if (sig.kind === 'audio') {
      if (sig.rate >= 3000) player.push(c.samples, sig.rate, sig.scale || 1 / 32768);
      continue;
    }
    const base = sig.baseline || 0;
    const scale = sig.scale || 1;
    const v = new Float32Array(c.samples.length);
    for (let i = 0; i < v.length; i++) v[i] = (c.samples[i] - base) * scale;
    renderer.add(s.key, c.time, v, sig.rate, gap);
  }
}

const callbacks = {
  onPhase: setPhase,
  onBadFrame: noteBad,
  onGrant(g) {
    state.patient = g.patient || null;
    state.epoch = g.epoch;
    state.viewer = g.viewer;
    panel.setPatient(g.patient);
    applyState(g.state);
    player.open();
  },
  onStream(cls, payload) {
    try {
      if (cls === Class.State) applyState(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload)));
      else onWaves(payload);
      stats.frames++;
    } catch (e) {
      noteBad('payload', e);
    }
  },
};

let laneGeneration = -1;

// describeLanes copies the lane geometry into state after each layout.
function describeLanes() {
  if (renderer.generation === laneGeneration) return;
  laneGeneration = renderer.generation;
  state.sweepX = renderer.x0;
  state.lanes = renderer.lanes.map((l) => ({ key: l.key, label: l.label, kind: l.sig.kind, device: l.sig.device, signal: l.sig.id, top: l.top, height: l.height, base: l.base, colour: l.colour }));
}

function frame() {
  try {
    const newest = renderer.draw();
    describeLanes();
    let fresh = -Infinity;
    for (const [key, t] of Object.entries(newest)) {
      if (!(t > (stats.lastDrawnSampleTime[key] || 0))) continue;
      stats.lastDrawnSampleTime[key] = t;
      fresh = Math.max(fresh, t);
    }
    if (fresh > 0) {
      stats.latencies.push(Date.now() - fresh);
      if (stats.latencies.length > maxLatencies) stats.latencies.splice(0, stats.latencies.length - maxLatencies);
    }
    const a = player.update();
    const text = !player.ctx ? 'audio: off' : a.state === 'suspended' ? 'audio: click to enable' : a.playing ? 'audio: playing' : 'audio: waiting';
    if ($('audio-status').textContent !== text) $('audio-status').textContent = text;
  } catch (e) {
    noteBad('draw', e);
  }
  requestAnimationFrame(frame);
}

// cleanName keeps what the host accepts in a knock: 1–80 printable
// characters (control and format characters dropped, other spaces plain).
function cleanName(raw) {
  const s = String(raw).replace(/\p{C}/gu, '').replace(/\p{Z}/gu, ' ').trim();
  return Array.from(s).slice(0, 80).join('');
}

function join(raw) {
  const name = cleanName(raw);
  if (!name) {
    $('join').hidden = false;
    setPhase('name', 'enter your name to knock');
    return;
  }
  $('join').hidden = true;
  session.name = name;
  session.start();
}

function main() {
  document.addEventListener('securitypolicyviolation', (e) => noteBad('csp', new Error(`${e.violatedDirective} ${e.blockedURI}`)));
  let invite;
  try {
    invite = parseInvite(location.href);
  } catch (e) {
    setPhase('failed', `could not join: ${e.message}`);
    return;
  }
  state.expires = invite.expires;
  if (invite.expires) {
    const at = new Date(invite.expires * 1000);
    $('expiry').textContent = `${at < new Date() ? 'invite expired' : 'invite valid until'} ${at.toLocaleTimeString()}`;
  }
  const wait = Number(new URLSearchParams(location.search).get('wait'));
  session = new Session(invite, '', callbacks, { waitMs: wait > 0 ? wait * 1000 : 0 });
  window.telewave.session = session;
  $('volume').addEventListener('input', (e) => player.setVolume(Number(e.target.value)));
  $('mute').addEventListener('change', (e) => player.setMuted(e.target.checked));
  document.addEventListener('click', () => player.resume());
  $('waves').addEventListener('click', (e) => {
    const r = $('waves').getBoundingClientRect();
    const hit = renderer.hit(e.clientX - r.left, e.clientY - r.top);
    // The relay allows an admitted viewer 20 frames a second: one marker
    // per 300 ms keeps a burst of clicks well inside it.
    if (!hit || state.phase !== 'watching' || performance.now() - lastMarker < 300) return;
    lastMarker = performance.now();
    const marker = { t: hit.t, device: hit.lane.sig.device, signal: hit.lane.sig.id };
    session.message({ marker }).then(() => {
      stats.markersSent++;
      $('toast').textContent = `marker sent at ${new Date(hit.t).toLocaleTimeString()}`;
    }).catch((err) => {
      $('toast').textContent = `marker not sent: ${err.message}`;
    });
  });
  $('join').addEventListener('submit', (e) => {
    e.preventDefault();
    join($('name').value);
  });
  requestAnimationFrame(frame);
  $('name').value = invite.name;
  join(invite.name); // ?name= knocks at once; without it the form asks
}

main();
