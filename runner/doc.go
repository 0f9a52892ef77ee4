// Package runner finds terraform, drives it through terraform-exec, and runs
// karma's lifecycle: plan, record, (approve, apply, record). It uses planparse
// to read plans and audit to record them.
package runner
