package audit_test

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/usekarma/karma/audit"
	"github.com/usekarma/karma/internal/loggen"
	"github.com/usekarma/karma/internal/testenv"
)

// benchLog is a generated log of n events, made once under bin/bench.
func benchLog(b *testing.B, n int) string {
	dir := filepath.Join(testenv.RepoRoot(), "bin", "bench", "gobench-log", filepath.Base(b.Name()))
	if _, err := os.Stat(filepath.Join(dir, audit.EventsFile)); err != nil {
		if err := loggen.Write(dir, n); err != nil {
			b.Fatal(err)
		}
	}
	return filepath.Join(dir, audit.EventsFile)
}

// BenchmarkListComponent is karma log list --component X --json on 200,000
// events: one in twenty matches.
func BenchmarkListComponent(b *testing.B) {
	path := benchLog(b, 200000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := audit.Scan(path, audit.Filter{Component: "infra/component-07"}, func(h audit.Header) error {
			_, err := io.Discard.Write(h.Line)
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify is karma log verify of 200,000 events.
func BenchmarkVerify(b *testing.B) {
	path := benchLog(b, 200000)
	b.ReportAllocs()
	for b.Loop() {
		r, err := audit.Verify(path, nil)
		if err != nil || r.Problem != nil {
			b.Fatal(err, r.Problem)
		}
	}
}
