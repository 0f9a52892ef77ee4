package runner

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/usekarma/karma/audit"
)

func envOf(m map[string]string) Env {
	return func(k string) string { return m[k] }
}

func TestDetectCI(t *testing.T) {
	cases := []struct {
		name  string
		env   map[string]string
		want  *audit.CI
		actor string
	}{
		{"github actions", map[string]string{"CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_ACTOR": "octocat",
			"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/infra", "GITHUB_RUN_ID": "42", "GITHUB_RUN_ATTEMPT": "2", "GITHUB_JOB": "deploy"},
			&audit.CI{Provider: "github-actions", RunURL: "https://github.com/acme/infra/actions/runs/42/attempts/2", Job: "deploy"}, "octocat"},
		{"github re-run by someone else", map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_ACTOR": "octocat", "GITHUB_TRIGGERING_ACTOR": "hubot"},
			&audit.CI{Provider: "github-actions"}, "hubot"},
		{"gitlab", map[string]string{"GITLAB_CI": "true", "GITLAB_USER_EMAIL": "ted@example.com", "GITLAB_USER_LOGIN": "ted", "CI_JOB_URL": "https://gitlab.example.com/j/7", "CI_JOB_NAME": "apply"},
			&audit.CI{Provider: "gitlab-ci", RunURL: "https://gitlab.example.com/j/7", Job: "apply"}, "ted@example.com"},
		{"buildkite", map[string]string{"BUILDKITE": "true", "BUILDKITE_BUILD_CREATOR_EMAIL": "bk@example.com", "BUILDKITE_BUILD_URL": "https://buildkite.com/acme/b/1", "BUILDKITE_JOB_ID": "j1"},
			&audit.CI{Provider: "buildkite", RunURL: "https://buildkite.com/acme/b/1#j1"}, "bk@example.com"},
		{"circleci", map[string]string{"CIRCLECI": "true", "CIRCLE_USERNAME": "circ", "CIRCLE_BUILD_URL": "https://circleci.com/b/3", "CIRCLE_JOB": "tf"},
			&audit.CI{Provider: "circleci", RunURL: "https://circleci.com/b/3", Job: "tf"}, "circ"},
		{"jenkins", map[string]string{"JENKINS_URL": "https://jenkins.example.com/", "BUILD_USER_ID": "jenk", "BUILD_URL": "https://jenkins.example.com/job/x/5/", "JOB_NAME": "x"},
			&audit.CI{Provider: "jenkins", RunURL: "https://jenkins.example.com/job/x/5/", Job: "x"}, "jenk"},
		{"azure pipelines", map[string]string{"TF_BUILD": "True", "BUILD_REQUESTEDFOREMAIL": "az@example.com", "SYSTEM_COLLECTIONURI": "https://dev.azure.com/acme/", "SYSTEM_TEAMPROJECT": "infra", "BUILD_BUILDID": "99"},
			&audit.CI{Provider: "azure-pipelines", RunURL: "https://dev.azure.com/acme/infra/_build/results?buildId=99"}, "az@example.com"},
		{"unknown CI", map[string]string{"CI": "true"}, &audit.CI{Provider: "unknown"}, ""},
		{"not CI", map[string]string{}, nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ci, actor := DetectCI(envOf(tc.env))
			assert.Equal(t, tc.want, ci)
			assert.Equal(t, tc.actor, actor)
		})
	}
}

func TestRedactRemoteDropsCredentials(t *testing.T) {
	cases := map[string]string{
		"https://x-access-token:ghs_secret@github.com/acme/infra.git": "https://github.com/acme/infra.git",
		"https://oauth2:glpat-secret@gitlab.com/acme/infra.git":       "https://gitlab.com/acme/infra.git",
		"https://github.com/acme/infra.git":                           "https://github.com/acme/infra.git",
		"git@github.com:acme/infra.git":                               "git@github.com:acme/infra.git",
		"ssh://git@github.com/acme/infra.git":                         "ssh://github.com/acme/infra.git",
		"":                                                            "",
	}
	for in, want := range cases {
		assert.Equal(t, want, RedactRemote(in), in)
	}
}

func TestContextFromGitAndIdentity(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skipf("SKIPPED: git is not on PATH: %v", err)
	}
	repo := t.TempDir()
	dir := filepath.Join(repo, "infra", "site")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.tf"), []byte("# site\n"), 0o644))
	gitIn(t, repo, "init", "-q", "-b", "main")
	gitIn(t, repo, "config", "user.email", "dev@example.com")
	gitIn(t, repo, "config", "user.name", "Dev")
	gitIn(t, repo, "remote", "add", "origin", "https://token:hunter2@example.com/acme/infra.git")
	gitIn(t, repo, "add", ".")
	gitIn(t, repo, "commit", "-q", "-m", "site")
	ctx := context.Background()

	rc := gatherContext(ctx, dir, Identity{}, envOf(nil))

	assert.Equal(t, "infra/site", rc.component, "the working directory relative to the git root")
	assert.Equal(t, "dev@example.com", rc.user, "git user.email outside CI")
	assert.Equal(t, "cli", rc.source)
	require.NotNil(t, rc.git)
	assert.Len(t, rc.git.Commit, 40)
	assert.Equal(t, "main", rc.git.Branch)
	assert.False(t, rc.git.Dirty)
	assert.Equal(t, "https://example.com/acme/infra.git", rc.git.Remote, "no credentials from the remote URL")

	require.NoError(t, os.WriteFile(filepath.Join(dir, "extra.tf"), []byte("# new\n"), 0o644))
	rc = gatherContext(ctx, dir, Identity{User: "flag-user", Source: "flag-source", Component: "flag-component"},
		envOf(map[string]string{"CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_ACTOR": "octocat"}))
	assert.True(t, rc.git.Dirty, "an untracked .tf file makes the tree dirty")
	assert.Equal(t, "flag-user", rc.user, "--user wins over the CI actor")
	assert.Equal(t, "flag-source", rc.source)
	assert.Equal(t, "flag-component", rc.component)

	rc = gatherContext(ctx, dir, Identity{}, envOf(map[string]string{"CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_ACTOR": "octocat"}))
	assert.Equal(t, "octocat", rc.user, "the CI actor wins over git user.email")
	assert.Equal(t, "ci", rc.source)

	outside := t.TempDir()
	assert.Equal(t, filepath.Base(outside), gatherContext(ctx, outside, Identity{}, envOf(nil)).component, "base name outside git")
	assert.Equal(t, filepath.Base(repo), gatherContext(ctx, repo, Identity{}, envOf(nil)).component, "the repository name at its root")
}

func gitIn(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "git %v: %s", args, out)
}
