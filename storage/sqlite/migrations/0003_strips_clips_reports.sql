-- What goes to the EHR besides charted vitals: ECG and pleth strips,
-- stethoscope clips and clinicians' reports. As before, plain columns hold
-- only ids, times and sizes; samples, audio and text are sealed, bound to
-- the row's UUID. Each row has an outbox unit written with it.

CREATE TABLE strips (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid         TEXT    NOT NULL UNIQUE,
    patient_id   INTEGER NOT NULL REFERENCES patients(id),
    recording_id INTEGER REFERENCES recordings(id),
    start_ns     INTEGER NOT NULL,
    end_ns       INTEGER NOT NULL,
    sealed       BLOB    NOT NULL -- description and compressed samples of every lead
);
CREATE INDEX strips_patient ON strips (patient_id, start_ns);

CREATE TABLE clips (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid       TEXT    NOT NULL UNIQUE,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    time_ns    INTEGER NOT NULL,
    size       INTEGER NOT NULL,
    binary_id  TEXT,            -- the EHR's Binary id once uploaded
    sealed     BLOB    NOT NULL, -- site, device, author
    wav        BLOB    NOT NULL  -- the WAVE file
);
CREATE INDEX clips_patient ON clips (patient_id, time_ns);

CREATE TABLE reports (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid       TEXT    NOT NULL UNIQUE,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    time_ns    INTEGER NOT NULL,
    sealed     BLOB    NOT NULL
);
