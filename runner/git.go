package runner

import (
	"bytes"
	"context"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/usekarma/karma/audit"
)

// gitInfo is what karma learns from the repository around a working directory.
type gitInfo struct {
	root  string
	email string
	state *audit.Git
}

// readGit asks git about dir. Outside a repository, or without git, it
// returns an empty gitInfo: git is context, never a reason to fail a run.
func readGit(ctx context.Context, dir string, env Env) gitInfo {
	root := git(ctx, dir, "rev-parse", "--show-toplevel")
	if root == "" {
		return gitInfo{}
	}
	st := &audit.Git{
		Commit: git(ctx, dir, "rev-parse", "HEAD"),
		Branch: git(ctx, dir, "symbolic-ref", "--short", "-q", "HEAD"),
		Dirty:  git(ctx, dir, "status", "--porcelain", "--untracked-files=normal") != "",
		Remote: RedactRemote(git(ctx, dir, "config", "--get", "remote.origin.url")),
	}
	if st.Branch == "" {
		st.Branch = ciBranch(env)
	}
	return gitInfo{root: root, email: git(ctx, dir, "config", "--get", "user.email"), state: st}
}

// git runs one git command in dir and returns its trimmed output, or "".
func git(ctx context.Context, dir string, args ...string) string {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		return ""
	}
	return strings.TrimSpace(out.String())
}

// ciBranch names the branch of a detached checkout, as CI systems do.
func ciBranch(env Env) string {
	for _, name := range []string{"GITHUB_HEAD_REF", "GITHUB_REF_NAME", "CI_COMMIT_REF_NAME", "BUILDKITE_BRANCH",
		"CIRCLE_BRANCH", "BRANCH_NAME", "GIT_BRANCH", "BUILD_SOURCEBRANCHNAME"} {
		if b := env(name); b != "" {
			return b
		}
	}
	return ""
}

// RedactRemote drops credentials from a remote URL: https://token@host/x
// becomes https://host/x. scp-style remotes (git@host:x) carry none.
func RedactRemote(remote string) string {
	u, err := url.Parse(remote)
	if err != nil || u.Scheme == "" || u.User == nil {
		if err != nil && strings.Contains(remote, "://") {
			return ""
		}
		return remote
	}
	u.User = nil
	return u.String()
}

// componentName is the working directory relative to the git root, or its
// base name outside git (or at the root itself).
func componentName(dir, gitRoot string) string {
	if gitRoot != "" {
		if rel, err := filepath.Rel(resolve(gitRoot), resolve(dir)); err == nil && rel != "." && !strings.HasPrefix(rel, "..") {
			return filepath.ToSlash(rel)
		}
		if filepath.Clean(resolve(gitRoot)) == filepath.Clean(resolve(dir)) {
			return filepath.Base(gitRoot)
		}
	}
	return filepath.Base(dir)
}

func resolve(path string) string {
	if p, err := filepath.EvalSymlinks(path); err == nil {
		return p
	}
	return path
}
