-- Foundation schema. Plain columns hold only ids, times (Unix nanoseconds),
-- sizes, sequence numbers, states and keyed hashes; everything that
-- identifies or describes a patient is in a "sealed" BLOB (storage/seal).

CREATE TABLE store_meta (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    store_id   TEXT    NOT NULL,
    created_ns INTEGER NOT NULL
);

CREATE TABLE users (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL UNIQUE,
    role       TEXT    NOT NULL CHECK (role IN ('administrator', 'clinician', 'reviewer')),
    disabled   INTEGER NOT NULL DEFAULT 0,
    created_ns INTEGER NOT NULL
);

-- user_id NULL marks the recovery slot; there is at most one.
CREATE TABLE key_slots (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER UNIQUE REFERENCES users(id),
    params     BLOB    NOT NULL,
    wrapped    BLOB    NOT NULL,
    created_ns INTEGER NOT NULL
);
CREATE UNIQUE INDEX key_slots_one_recovery ON key_slots ((user_id IS NULL)) WHERE user_id IS NULL;

-- Failed unlocks happen while the store is locked, when no audit MAC can be
-- computed; they wait here and join the audit chain at the next unlock.
CREATE TABLE login_failures (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    time_ns   INTEGER NOT NULL,
    user_name TEXT    NOT NULL
);

CREATE TABLE patients (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    mrn_index BLOB    NOT NULL UNIQUE,
    sealed    BLOB    NOT NULL
);

CREATE TABLE recordings (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    started_ns INTEGER NOT NULL,
    stopped_ns INTEGER,
    device     BLOB    NOT NULL
);
CREATE INDEX recordings_patient ON recordings (patient_id);

CREATE TABLE signals (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    recording_id INTEGER NOT NULL REFERENCES recordings(id),
    signal_key   TEXT    NOT NULL,
    sealed       BLOB    NOT NULL,
    UNIQUE (recording_id, signal_key)
);

CREATE TABLE chunks (
    recording_id   INTEGER NOT NULL REFERENCES recordings(id),
    signal_id      INTEGER NOT NULL REFERENCES signals(id),
    seq            INTEGER NOT NULL,
    host_time_ns   INTEGER NOT NULL,
    device_time_ns INTEGER,
    n_samples      INTEGER NOT NULL,
    flags          INTEGER NOT NULL DEFAULT 0,
    payload        BLOB    NOT NULL,
    PRIMARY KEY (signal_id, seq)
) WITHOUT ROWID;
CREATE INDEX chunks_recording ON chunks (recording_id);

CREATE TABLE charts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid       TEXT    NOT NULL UNIQUE,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    time_ns    INTEGER NOT NULL,
    sealed     BLOB    NOT NULL
);

CREATE TABLE numerics (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    recording_id INTEGER REFERENCES recordings(id),
    chart_id     INTEGER REFERENCES charts(id),
    patient_id   INTEGER NOT NULL REFERENCES patients(id),
    time_ns      INTEGER NOT NULL,
    sealed       BLOB    NOT NULL
);
CREATE INDEX numerics_patient_time ON numerics (patient_id, time_ns);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT    NOT NULL,
    ref_id          INTEGER NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'in-flight', 'done', 'failed-permanent')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_ns INTEGER NOT NULL,
    last_error      TEXT    NOT NULL DEFAULT '', -- the sender's error text: never patient data
    error_ns        INTEGER,
    created_ns      INTEGER NOT NULL,
    done_at_ns      INTEGER
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_ns);

-- mac = HMAC(audit key, previous row's mac || this row's fields): a hash chain.
CREATE TABLE audit (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    time_ns INTEGER NOT NULL,
    user_id INTEGER REFERENCES users(id),
    action  TEXT    NOT NULL,
    detail  BLOB    NOT NULL,
    mac     BLOB    NOT NULL
);
