package runner

import (
	"context"
	"os"
	"os/user"
	"path/filepath"
	"strings"

	"github.com/usekarma/karma/audit"
)

// Identity is what the user said about a run: --user, --source, --component
// (or their KARMA_ variables). Empty fields are detected.
type Identity struct {
	User, Source, Component string
}

// runContext is everything an event says about where a run came from.
type runContext struct {
	user, source, component string
	git                     *audit.Git
	ci                      *audit.CI
	host                    string
	workspace               string
}

// gatherContext works out who is running, from where, on what. It runs git,
// so runs start it beside terraform rather than before it.
func gatherContext(ctx context.Context, dir string, id Identity, env Env) runContext {
	ci, actor := DetectCI(env)
	g := readGit(ctx, dir, env)
	rc := runContext{
		user:      firstOf(id.User, actor, g.email, osUser(env)),
		source:    firstOf(id.Source, sourceOf(ci)),
		component: firstOf(id.Component, componentName(dir, g.root)),
		git:       g.state,
		ci:        ci,
		workspace: workspace(dir, env),
	}
	rc.host, _ = os.Hostname()
	return rc
}

func sourceOf(ci *audit.CI) string {
	if ci != nil {
		return "ci"
	}
	return "cli"
}

func osUser(env Env) string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return firstOf(env("USER"), env("USERNAME"), "unknown")
}

// workspace is the terraform workspace a run uses: TF_WORKSPACE, else the one
// selected in the data directory, else "default". Reading the file, as
// terraform does, costs no process.
func workspace(dir string, env Env) string {
	if ws := env("TF_WORKSPACE"); ws != "" {
		return ws
	}
	dataDir := firstOf(env("TF_DATA_DIR"), ".terraform")
	if !filepath.IsAbs(dataDir) {
		dataDir = filepath.Join(dir, dataDir)
	}
	if b, err := os.ReadFile(filepath.Join(dataDir, "environment")); err == nil {
		if ws := strings.TrimSpace(string(b)); ws != "" {
			return ws
		}
	}
	return "default"
}

func firstOf(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
