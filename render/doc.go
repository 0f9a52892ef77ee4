// Package render writes what karma shows people and programs: plan diffs as
// terminal text, pull-request markdown or JSON, the short summary after a plan,
// and terraform values in the syntax terraform prints them in.
package render
