// Package audit is karma's system of record: the event schema, the append-only,
// hash-chained JSONL log, the content-addressed store for redacted documents,
// and the queries that read them back.
//
// It may use planparse's types. It never runs terraform.
package audit
