-- Cart files taken in by the watched folder, drag-and-drop or import: one
-- row per distinct file content, so the same ECG is never imported twice,
-- however it is named or copied back in. content_key is a keyed hash of the
-- file (HMAC under the store's blind-index key: a plain SHA-256 of a
-- patient's file would itself identify it). The file's name, format and
-- the reason for a rejection are sealed, bound to the row id.
CREATE TABLE imported_files (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    content_key  BLOB    NOT NULL UNIQUE,
    updated_ns   INTEGER NOT NULL,
    outcome      TEXT    NOT NULL CHECK (outcome IN ('pending', 'imported', 'rejected')),
    retry        INTEGER NOT NULL DEFAULT 0, -- a rejection a later attempt may retry (no patient matched)
    recording_id INTEGER REFERENCES recordings(id),
    patient_id   INTEGER REFERENCES patients(id),
    sealed       BLOB    NOT NULL
);
