// Package backlog measures how fast the workstation drains a week of
// offline work to the EHR (DESIGN.md §10: 7 days in ≤ 60 s, no duplicates):
// a real SQLite store holding a clinic's charts, ECG strips and stethoscope
// clips, drained by the real outbox Drainer and FHIR Sender into the test
// EHR (test/fhirserver). Its tests and benchmark live in backlog_test.go;
// ehrshim adds raw Binary upload in front of the test EHR.
package backlog
