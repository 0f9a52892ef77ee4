package s3mirror

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/usekarma/karma/audit"
)

// ChainReport is what verify found of one chain (one runner's log) in the
// mirror.
type ChainReport struct {
	Chain string `json:"chain"`
	*audit.Report
	// MissingFromMirror lists the seqs of events the local log has and the
	// mirror does not: pending upload, or removed from the bucket.
	MissingFromMirror []int64 `json:"missing_from_mirror,omitempty"`
}

// Verify checks every chain stored in the mirror as karma log verify checks
// a local log, with the checkpoints stored beside them when key is given, and
// names the events of the local log (its own chain) the mirror lacks.
func Verify(ctx context.Context, m *Mirror, local *audit.Log, key ed25519.PublicKey) ([]ChainReport, error) {
	refs, err := m.EventRefs(ctx, time.Time{}, time.Time{})
	if err != nil {
		return nil, err
	}
	chains := map[string][]EventRef{}
	for _, r := range refs {
		chains[r.Chain] = append(chains[r.Chain], r)
	}
	localChain, localSeqs, err := local.Seqs()
	if err != nil {
		return nil, err
	}
	if _, ok := chains[localChain]; !ok && localChain != "" {
		chains[localChain] = nil
	}
	names := make([]string, 0, len(chains))
	for c := range chains {
		names = append(names, c)
	}
	sort.Strings(names)
	var reports []ChainReport
	for _, chain := range names {
		r, err := m.verifyChain(ctx, chain, chains[chain], key)
		if err != nil {
			return nil, err
		}
		if chain == localChain {
			r.MissingFromMirror = missing(localSeqs, chains[chain])
		}
		reports = append(reports, r)
	}
	return reports, nil
}

func (m *Mirror) verifyChain(ctx context.Context, chain string, refs []EventRef, key ed25519.PublicKey) (ChainReport, error) {
	sort.Slice(refs, func(i, j int) bool { return refs[i].Seq < refs[j].Seq })
	var checkpoints *audit.Checkpoints
	if key != nil {
		path, err := m.checkpointsFile(ctx, chain)
		if err != nil {
			return ChainReport{}, err
		}
		defer os.RemoveAll(filepath.Dir(path))
		checkpoints = &audit.Checkpoints{Path: path, Key: key}
	}
	rc := m.stream(ctx, refs)
	defer rc.Close()
	report, err := audit.VerifyReader(rc, checkpoints)
	if err != nil {
		return ChainReport{}, err
	}
	return ChainReport{Chain: chain, Report: report}, nil
}

// checkpointsFile gathers a chain's signed checkpoints from the mirror into a
// temporary file, in order, for the verifier.
func (m *Mirror) checkpointsFile(ctx context.Context, chain string) (string, error) {
	keys, err := m.list(ctx, "checkpoints/"+chain+"/", "")
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "karma-checkpoints-")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, audit.CheckpointsFile)
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	for _, k := range keys {
		body, err := m.Get(ctx, k)
		if err != nil {
			return "", err
		}
		if _, err := f.Write(body); err != nil {
			return "", fmt.Errorf("gather checkpoints: %w", err)
		}
	}
	return path, nil
}

func missing(local []int64, mirrored []EventRef) []int64 {
	have := make(map[int64]bool, len(mirrored))
	for _, r := range mirrored {
		have[r.Seq] = true
	}
	var out []int64
	for _, s := range local {
		if !have[s] {
			out = append(out, s)
		}
	}
	return out
}
