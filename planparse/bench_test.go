package planparse_test

import (
	"bytes"
	"io"
	"path/filepath"
	"sync"
	"testing"

	"github.com/usekarma/karma/internal/planfixture"
	"github.com/usekarma/karma/internal/testenv"
	"github.com/usekarma/karma/planparse"
	"github.com/usekarma/karma/render"
)

var (
	bigOnce sync.Once
	bigPlan []byte
	bigErr  error
)

// benchPlan is the benchmark plan: a real 5,000-resource plan fanned out to
// 50,000 resources. The 5,000-resource plan is made once with terraform and
// cached under bin/bench.
func benchPlan(b *testing.B) []byte {
	tf := testenv.Terraform(b)
	bigOnce.Do(func() {
		cache := filepath.Join(testenv.RepoRoot(), "bin", "bench", "plan-5000.json")
		var plan []byte
		if plan, bigErr = planfixture.BigPlan(tf, b.TempDir(), 5000, testenv.BaseEnv(), cache); bigErr == nil {
			bigPlan, bigErr = planfixture.Fanout(plan, 10)
		}
	})
	if bigErr != nil {
		b.Fatal(bigErr)
	}
	return bigPlan
}

// BenchmarkReview50k is karma review --format json on a 50,000-resource plan:
// parse, redact, diff, and write the diff document.
func BenchmarkReview50k(b *testing.B) {
	plan := benchPlan(b)
	b.SetBytes(int64(len(plan)))
	b.ReportAllocs()
	for b.Loop() {
		d, err := planparse.Parse(bytes.NewReader(plan))
		if err != nil {
			b.Fatal(err)
		}
		if err := (render.JSON{}).Render(io.Discard, d); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRedact50k is what a run does with a plan before recording it:
// the redacted plan, prior state and diff.
func BenchmarkRedact50k(b *testing.B) {
	plan := benchPlan(b)
	b.SetBytes(int64(len(plan)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := planparse.Redact(plan); err != nil {
			b.Fatal(err)
		}
	}
}
