// panel.js: the numerics (big numbers with units), the alarm bar in IEC
// 60601-1-8 colours and the patient's name. Text only goes through
// textContent: nothing from the stream is ever parsed as HTML.

const priorityClass = ['info', 'low', 'medium', 'high'];

/** numericKey names a numeric across updates: its device and code. */
export function numericKey(n) {
  return `${n.device || ''}/${n.code || n.raw_code || n.label || ''}`;
}

// UCUM units as a clinician reads them; others are shown as they come.
const unitText = { Cel: '°C', '[degF]': '°F', 'mm[Hg]': 'mmHg', '{beats}/min': '/min', '{breaths}/min': '/min', '1': '' };

/** displayUnit writes a UCUM unit for the screen. */
export function displayUnit(u) {
  return u in unitText ? unitText[u] : u || '';
}

/** formatValue writes a value as shown: at most two decimals, no trailing zeros. */
export function formatValue(v) {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '---';
  return String(Math.round(v * 100) / 100);
}

export class Panel {
  constructor(root) {
    this.numericsEl = root.querySelector('#numerics');
    this.alarmEl = root.querySelector('#alarms');
    this.patientEl = root.querySelector('#patient');
    this.eventEl = root.querySelector('#event');
    this.shown = {}; // numericKey → {label, value, unit, status, shown}
    this.tiles = new Map();
    this.alarms = [];
  }

  setPatient(p) {
    const name = (p && p.name) || '';
    const mrn = (p && p.mrn) || '';
    document.title = name ? `${name} — Telewave live` : 'Telewave live';
    this.patientEl.textContent = name + (mrn ? `  ·  MRN ${mrn}` : '');
  }

  /** Shows numerics (wire NumericRec list), newest value per key. */
  setNumerics(list) {
    for (const n of list || []) {
      const key = numericKey(n);
      const status = n.status || 'valid';
      const shown = status === 'unavailable' ? '---' : formatValue(n.value) + (status === 'questionable' ? '?' : '');
      this.shown[key] = { device: n.device, label: n.label || n.raw_code || String(n.code), value: n.value, unit: n.unit || '', status, shown };
      let tile = this.tiles.get(key);
      if (!tile) {
        tile = document.createElement('div');
        tile.className = 'numeric';
        for (const cls of ['label', 'value', 'unit']) {
          const s = document.createElement('span');
          s.className = cls;
          tile.appendChild(s);
        }
        tile.dataset.key = key;
        this.numericsEl.appendChild(tile);
        this.tiles.set(key, tile);
      }
      const v = this.shown[key];
      tile.children[0].textContent = v.label;
      tile.children[1].textContent = v.shown;
      tile.children[2].textContent = displayUnit(v.unit);
      tile.classList.toggle('questionable', status !== 'valid');
    }
  }

  /** Shows the full current alarm list (wire AlarmRec). */
  setAlarms(list) {
    this.alarms = (list || []).slice().sort((a, b) => (b.priority || 0) - (a.priority || 0));
    const el = this.alarmEl;
    el.replaceChildren();
    el.className = '';
    if (this.alarms.length === 0) {
      el.textContent = 'no alarms';
      el.className = 'none';
      return;
    }
    const top = this.alarms[0];
    el.className = priorityClass[top.priority] || 'info';
    if (top.flashing && !top.acknowledged && top.priority >= 2) el.classList.add('flash');
    for (const a of this.alarms) {
      const s = document.createElement('span');
      s.className = `alarm ${priorityClass[a.priority] || 'info'}`;
      s.textContent = a.text + (a.acknowledged ? ' (acknowledged)' : '');
      el.appendChild(s);
    }
  }

  /** Shows the newest device event (wire EventRec list). */
  setEvents(list) {
    if (!list || list.length === 0) return;
    const e = list[list.length - 1];
    this.eventEl.textContent = `${e.device ? `${e.device}: ` : ''}${e.text || e.code || ''}`;
  }
}
