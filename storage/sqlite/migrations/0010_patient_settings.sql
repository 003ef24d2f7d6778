-- Per-patient settings that outlive a session, e.g. the alarm limits a
-- clinician set. The value is sealed, bound to its row; (patient_id, name)
-- is unique and an update replaces the row.
CREATE TABLE patient_settings (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    name       TEXT    NOT NULL,
    updated_ns INTEGER NOT NULL,
    sealed     BLOB    NOT NULL,
    UNIQUE (patient_id, name)
);
