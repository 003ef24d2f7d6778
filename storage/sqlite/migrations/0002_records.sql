-- Records: encounters, recording events, annotations, alarm history and
-- compacted waveform blocks. As in 0001, plain columns hold only ids,
-- times, sizes and sequence numbers; the rest is sealed.

CREATE TABLE encounters (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    started_ns INTEGER NOT NULL,
    stopped_ns INTEGER,
    sealed     BLOB    NOT NULL -- reason, who opened and closed it
);
CREATE INDEX encounters_patient ON encounters (patient_id, started_ns);

ALTER TABLE recordings ADD COLUMN encounter_id INTEGER REFERENCES encounters(id);

-- Device and technical events of a recording (sensor off, gaps, reconnects).
CREATE TABLE events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    recording_id INTEGER NOT NULL REFERENCES recordings(id),
    time_ns      INTEGER NOT NULL,
    sealed       BLOB    NOT NULL
);
CREATE INDEX events_recording ON events (recording_id, time_ns);

-- A clinician's (or a remote viewer's) note at a time of a recording.
CREATE TABLE annotations (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    recording_id INTEGER NOT NULL REFERENCES recordings(id),
    time_ns      INTEGER NOT NULL,
    sealed       BLOB    NOT NULL
);
CREATE INDEX annotations_recording ON annotations (recording_id, time_ns);

-- Alarm history: every raise, clear, acknowledgement and audio pause.
CREATE TABLE alarms (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id   INTEGER REFERENCES patients(id),
    recording_id INTEGER REFERENCES recordings(id),
    time_ns      INTEGER NOT NULL,
    sealed       BLOB    NOT NULL
);
CREATE INDEX alarms_patient ON alarms (patient_id, time_ns);

-- Compacted waveform: the chunks first_seq..last_seq of one signal in one
-- sealed block (their per-chunk times and flags inside the seal), so the
-- per-chunk overhead disappears. A chunk is either in chunks or in a block.
CREATE TABLE blocks (
    signal_id    INTEGER NOT NULL REFERENCES signals(id),
    first_seq    INTEGER NOT NULL,
    last_seq     INTEGER NOT NULL,
    recording_id INTEGER NOT NULL REFERENCES recordings(id),
    start_ns     INTEGER NOT NULL,
    end_ns       INTEGER NOT NULL,
    n_samples    INTEGER NOT NULL,
    payload      BLOB    NOT NULL,
    PRIMARY KEY (signal_id, first_seq)
) WITHOUT ROWID;
CREATE INDEX blocks_time ON blocks (signal_id, start_ns);
CREATE INDEX chunks_time ON chunks (signal_id, host_time_ns);
