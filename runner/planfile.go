package runner

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tidwall/gjson"
	"github.com/usekarma/karma/audit"
)

// ErrPlanRefused is returned when karma will not apply a saved plan.
var ErrPlanRefused = errors.New("saved plan refused")

// planFileOf names a saved plan by its absolute path and the SHA-256 of its bytes.
func planFileOf(file string) (*audit.PlanFile, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(abs)
	if err != nil {
		return nil, fmt.Errorf("plan file %s: %w", abs, unwrapPathErr(err))
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, fmt.Errorf("plan file %s: %w", abs, err)
	}
	return &audit.PlanFile{Path: abs, Digest: "sha256:" + hex.EncodeToString(h.Sum(nil))}, nil
}

// savedPlan reads a plan file made earlier, checks it is safe to apply here,
// and links it to the plan event karma recorded for it (recording one when it
// was made by terraform itself).
func (run *run) savedPlan(ctx context.Context, f Flags, file string) (*planned, error) {
	if set := f.planSettings(); len(set) > 0 {
		return nil, fmt.Errorf("%s cannot be used with a saved plan: the plan already carries what to change", strings.Join(set, ", "))
	}
	if !filepath.IsAbs(file) {
		file = filepath.Join(run.Dir, file)
	}
	pf, err := planFileOf(file)
	if err != nil {
		return nil, err
	}
	prior, err := findPlanEvent(run.Log.Path(), pf.Path)
	if err != nil {
		return nil, err
	}
	if err := checkSavedPlan(pf, prior, run.Dir); err != nil {
		return nil, run.refuse(pf, prior, err)
	}
	p := &planned{file: pf.Path, mode: ModeNormal}
	ev := run.event(audit.ActionPlan, audit.StatusPlanned)
	ev.PlanFile = pf
	if err := run.readPlan(ctx, p, ev); err != nil {
		return nil, err
	}
	p.changes = p.diff.HasChanges() || len(p.diff.Drift) > 0
	if prior != nil {
		p.event, p.mode = prior, firstOf(prior.PlanMode, ModeNormal)
		return p, nil
	}
	if !p.changes {
		ev.Status = audit.StatusNoChanges
	}
	ev.PlanMode, ev.ExitCode = p.mode, intPtr(0)
	if err := run.record(ev); err != nil {
		return nil, fmt.Errorf("%w; the plan was not recorded, so nothing will be applied", err)
	}
	p.event = ev
	return p, nil
}

// checkSavedPlan refuses a plan file that changed since karma recorded it, and
// one made from other configuration files than those in dir: applying it would
// record a git commit whose code is not what terraform applied.
func checkSavedPlan(pf *audit.PlanFile, prior *audit.Event, dir string) error {
	if prior != nil && prior.PlanFile.Digest != pf.Digest {
		return fmt.Errorf("%w: plan file %s changed since karma recorded it in event %s (digest %s, now %s); run karma plan again",
			ErrPlanRefused, pf.Path, prior.ID, short(prior.PlanFile.Digest), short(pf.Digest))
	}
	if differs, err := configDiffers(pf.Path, dir); err != nil {
		return err
	} else if differs != "" {
		return fmt.Errorf("%w: plan file %s was made from other configuration files than those in %s (%s); run karma plan there, or apply it from the directory it was made in",
			ErrPlanRefused, pf.Path, dir, differs)
	}
	return nil
}

// refuse records that a saved plan was refused, and returns why.
func (run *run) refuse(pf *audit.PlanFile, prior *audit.Event, reason error) error {
	ev := run.event(audit.ActionApply, audit.StatusRejected)
	ev.PlanFile, ev.Error, ev.ExitCode = pf, reason.Error(), intPtr(1)
	if prior != nil {
		ev.PlanEvent = prior.ID
	}
	if err := run.record(ev); err != nil {
		return &ExitError{Code: 1, Err: fmt.Errorf("%w (and recording the refusal failed: %w)", reason, err)}
	}
	return &ExitError{Code: 1, Err: fmt.Errorf("%w; recorded as rejected in event %s", reason, ev.ID)}
}

// findPlanEvent returns the last plan event recorded for the plan file at
// path, or nil.
func findPlanEvent(logPath, planPath string) (*audit.Event, error) {
	var last []byte
	_, err := audit.Scan(logPath, audit.Filter{Action: audit.ActionPlan}, func(h audit.Header) error {
		if gjson.GetBytes(h.Line, "plan_file.path").String() == planPath {
			last = append(last[:0], h.Line...)
		}
		return nil
	})
	if err != nil || last == nil {
		return nil, err
	}
	var ev audit.Event
	if err := json.Unmarshal(last, &ev); err != nil {
		return nil, fmt.Errorf("read plan event for %s: %w", planPath, err)
	}
	return &ev, nil
}

// configDiffers compares the root module files a plan file carries (its
// tfconfig/m-/ snapshot) with those in dir, and names the first difference.
// A plan file without a snapshot karma can read is not compared.
func configDiffers(planFile, dir string) (string, error) {
	zr, err := zip.OpenReader(planFile)
	if err != nil {
		return "", fmt.Errorf("plan file %s is not a terraform plan: %w", planFile, err)
	}
	defer zr.Close()
	snapshot := map[string]*zip.File{}
	for _, f := range zr.File {
		if name, ok := strings.CutPrefix(f.Name, "tfconfig/m-/"); ok && isConfigFile(name) && !strings.Contains(name, "/") {
			snapshot[name] = f
		}
	}
	if len(snapshot) == 0 {
		return "", nil
	}
	local, err := configFiles(dir)
	if err != nil {
		return "", err
	}
	for _, name := range local {
		if snapshot[name] == nil {
			return name + " is not in the plan", nil
		}
	}
	return compareSnapshot(snapshot, dir)
}

func compareSnapshot(snapshot map[string]*zip.File, dir string) (string, error) {
	names := make([]string, 0, len(snapshot))
	for name := range snapshot {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		local, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, os.ErrNotExist) {
			return name + " is in the plan but not here", nil
		}
		if err != nil {
			return "", err
		}
		rc, err := snapshot[name].Open()
		if err != nil {
			return "", fmt.Errorf("read %s in plan file: %w", name, err)
		}
		planned, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return "", fmt.Errorf("read %s in plan file: %w", name, err)
		}
		if !bytes.Equal(local, planned) {
			return name + " differs", nil
		}
	}
	return "", nil
}

func configFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && isConfigFile(e.Name()) {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

func isConfigFile(name string) bool {
	ext := path.Ext(name)
	return ext == ".tf" || strings.HasSuffix(name, ".tf.json")
}

func short(digest string) string {
	if len(digest) > 19 {
		return digest[:19]
	}
	return digest
}
