// Package backlog measures how fast the workstation drains a week of
// offline work to the EHR (DESIGN.md §10: 7 days in ≤ 60 s, no duplicates):
// a real SQLite store holding a clinic's charts, ECG strips and stethoscope
// clips, drained by the real outbox Drainer and FHIR Sender into the test
// EHR (test/fhirserver), which takes the clips' raw Binary uploads itself.
// Its tests and benchmark live in backlog_test.go.
package backlog
