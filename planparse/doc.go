// Package planparse turns terraform's plan JSON (`terraform show -json PLANFILE`)
// into a redacted, resource-level diff, and turns plan and state JSON into
// redacted documents that are safe to store.
//
// It is pure: no exec, no files, no clock, and it knows nothing of the audit log.
//
// Redaction starts from what terraform-json's sanitize package does (the
// REDACTED_SENSITIVE marker, masks from before_sensitive and after_sensitive)
// and closes what it leaves open: defaults of sensitive variables and constant
// values in the configuration, variables of every module, resource_drift,
// deferred changes, and state resources that have no matching change (their own
// sensitive_values are used). It works in one streaming pass, so its cost grows
// linearly with the plan, without sanitize's deep copies and per-resource search.
package planparse
