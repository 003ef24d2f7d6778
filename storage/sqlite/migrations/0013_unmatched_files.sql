-- Cart files whose patient id matched no patient (or that name none) wait
-- here, whole and sealed, until a clinician says whose they are or
-- discards them: the USB stick they came on may be gone by then. The
-- file's imported_files row is a retryable rejection meanwhile; its row
-- here goes in the transaction that imports or discards it. Both sealed
-- columns are bound to the file id.
CREATE TABLE unmatched_files (
    file_id  INTEGER PRIMARY KEY REFERENCES imported_files(id),
    held_ns  INTEGER NOT NULL,
    size     INTEGER NOT NULL, -- bytes of the file
    says     BLOB    NOT NULL, -- what the file says of its patient and acquisition (JSON)
    content  BLOB    NOT NULL  -- the file's bytes
);
