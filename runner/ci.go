package runner

import (
	"strings"

	"github.com/usekarma/karma/audit"
)

// Env reads an environment variable; os.Getenv in production, a map in tests.
type Env func(string) string

// ciProvider knows how one CI system names itself, its actor and its run.
type ciProvider struct {
	name   string
	detect func(Env) bool
	actor  []string // variables holding who started the run, best first
	runURL func(Env) string
	job    string
}

var ciProviders = []ciProvider{
	{
		name:   "github-actions",
		detect: func(e Env) bool { return e("GITHUB_ACTIONS") == "true" },
		actor:  []string{"GITHUB_TRIGGERING_ACTOR", "GITHUB_ACTOR"},
		runURL: func(e Env) string {
			if e("GITHUB_RUN_ID") == "" {
				return ""
			}
			u := orDefault(e("GITHUB_SERVER_URL"), "https://github.com") + "/" + e("GITHUB_REPOSITORY") + "/actions/runs/" + e("GITHUB_RUN_ID")
			if a := e("GITHUB_RUN_ATTEMPT"); a != "" {
				u += "/attempts/" + a
			}
			return u
		},
		job: "GITHUB_JOB",
	},
	{
		name:   "gitlab-ci",
		detect: func(e Env) bool { return e("GITLAB_CI") == "true" },
		actor:  []string{"GITLAB_USER_EMAIL", "GITLAB_USER_LOGIN"},
		runURL: func(e Env) string { return orDefault(e("CI_JOB_URL"), e("CI_PIPELINE_URL")) },
		job:    "CI_JOB_NAME",
	},
	{
		name:   "buildkite",
		detect: func(e Env) bool { return e("BUILDKITE") == "true" },
		actor:  []string{"BUILDKITE_BUILD_CREATOR_EMAIL", "BUILDKITE_BUILD_CREATOR"},
		runURL: func(e Env) string {
			if id := e("BUILDKITE_JOB_ID"); id != "" && e("BUILDKITE_BUILD_URL") != "" {
				return e("BUILDKITE_BUILD_URL") + "#" + id
			}
			return e("BUILDKITE_BUILD_URL")
		},
		job: "BUILDKITE_LABEL",
	},
	{
		name:   "circleci",
		detect: func(e Env) bool { return e("CIRCLECI") == "true" },
		actor:  []string{"CIRCLE_USERNAME"},
		runURL: func(e Env) string { return e("CIRCLE_BUILD_URL") },
		job:    "CIRCLE_JOB",
	},
	{
		name:   "jenkins",
		detect: func(e Env) bool { return e("JENKINS_URL") != "" },
		actor:  []string{"BUILD_USER_EMAIL", "BUILD_USER_ID", "CHANGE_AUTHOR_EMAIL", "CHANGE_AUTHOR"},
		runURL: func(e Env) string { return e("BUILD_URL") },
		job:    "JOB_NAME",
	},
	{
		name:   "azure-pipelines",
		detect: func(e Env) bool { return strings.EqualFold(e("TF_BUILD"), "true") },
		actor:  []string{"BUILD_REQUESTEDFOREMAIL", "BUILD_REQUESTEDFOR"},
		runURL: func(e Env) string {
			if e("BUILD_BUILDID") == "" || e("SYSTEM_COLLECTIONURI") == "" {
				return ""
			}
			return e("SYSTEM_COLLECTIONURI") + e("SYSTEM_TEAMPROJECT") + "/_build/results?buildId=" + e("BUILD_BUILDID")
		},
		job: "SYSTEM_JOBDISPLAYNAME",
	},
}

// DetectCI names the CI system karma runs in, and returns who started the run
// there; nil and "" outside CI.
func DetectCI(env Env) (*audit.CI, string) {
	for _, p := range ciProviders {
		if !p.detect(env) {
			continue
		}
		actor := ""
		for _, name := range p.actor {
			if actor = env(name); actor != "" {
				break
			}
		}
		return &audit.CI{Provider: p.name, RunURL: p.runURL(env), Job: env(p.job)}, actor
	}
	if isTrue(env("CI")) {
		return &audit.CI{Provider: "unknown"}, ""
	}
	return nil, ""
}

func isTrue(s string) bool {
	return strings.EqualFold(s, "true") || s == "1"
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
