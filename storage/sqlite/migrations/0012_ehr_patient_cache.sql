-- The EHR's Patients as last searched while online, so that a clinician
-- can match waiting work to a patient while the link is down. Only the
-- blind index of the MRN and times are plain; the EHR id, MRN, name, birth
-- date and sex are sealed, bound to the row id.
CREATE TABLE ehr_patients (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    mrn_index    BLOB    NOT NULL UNIQUE,
    refreshed_ns INTEGER NOT NULL,
    sealed       BLOB    NOT NULL
);

-- When the cache was last refreshed, even by a search that found nothing.
CREATE TABLE ehr_patients_refreshed (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    refreshed_ns INTEGER NOT NULL
);
