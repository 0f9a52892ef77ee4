package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"
	"github.com/usekarma/karma/audit"
	"github.com/usekarma/karma/audit/s3mirror"
	"github.com/usekarma/karma/render"
	"github.com/usekarma/karma/runner"
	"golang.org/x/term"
)

// globals holds karma's global flags and streams.
type globals struct {
	stdin          io.Reader
	stdout, stderr io.Writer

	logDir, chdir, component, user, source string
	mirrorURL, terraform, sse, kmsKey      string
	s3PathStyle, mirrorRequired            bool
}

func (g *globals) flags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "log-dir", EnvVars: []string{"KARMA_LOG_DIR"}, Destination: &g.logDir,
			Usage: "audit log directory (default $XDG_STATE_HOME/karma, else ~/.local/state/karma)"},
		&cli.StringFlag{Name: "chdir", Value: ".", Destination: &g.chdir,
			Usage: "terraform working directory, as terraform's -chdir"},
		&cli.StringFlag{Name: "component", EnvVars: []string{"KARMA_COMPONENT"}, Destination: &g.component,
			Usage: "component name (default: the working directory relative to the git root)"},
		&cli.StringFlag{Name: "user", EnvVars: []string{"KARMA_USER"}, Destination: &g.user,
			Usage: "who runs karma (default: the CI actor, else git user.email, else the OS user)"},
		&cli.StringFlag{Name: "source", EnvVars: []string{"KARMA_SOURCE"}, Destination: &g.source,
			Usage: "where karma runs from (default: ci where CI=true, else cli)"},
		&cli.StringFlag{Name: "mirror", EnvVars: []string{"KARMA_MIRROR"}, Destination: &g.mirrorURL,
			Usage: "mirror the log to s3://bucket/prefix"},
		&cli.BoolFlag{Name: "mirror-required", EnvVars: []string{"KARMA_MIRROR_REQUIRED"}, Destination: &g.mirrorRequired,
			Usage: "refuse to apply unless the plan's event is in the mirror first"},
		&cli.BoolFlag{Name: "s3-path-style", EnvVars: []string{"KARMA_S3_PATH_STYLE"}, Destination: &g.s3PathStyle,
			Usage: "address S3 buckets by path, for S3-compatible servers"},
		&cli.StringFlag{Name: "s3-sse", EnvVars: []string{"KARMA_S3_SSE"}, Destination: &g.sse,
			Usage: "server-side encryption for mirrored objects: AES256 or aws:kms"},
		&cli.StringFlag{Name: "s3-kms-key-id", EnvVars: []string{"KARMA_S3_KMS_KEY_ID"}, Destination: &g.kmsKey,
			Usage: "KMS key for --s3-sse aws:kms"},
		&cli.StringFlag{Name: "terraform", EnvVars: []string{"KARMA_TERRAFORM"}, Destination: &g.terraform,
			Usage: "terraform binary (default: terraform on PATH, else downloaded)"},
	}
}

// logDirPath is --log-dir, else $XDG_STATE_HOME/karma, else ~/.local/state/karma.
func (g *globals) logDirPath() string {
	if g.logDir != "" {
		return g.logDir
	}
	if state := os.Getenv("XDG_STATE_HOME"); state != "" {
		return filepath.Join(state, "karma")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		home = "."
	}
	return filepath.Join(home, ".local", "state", "karma")
}

// log is the audit log. It warns on stderr when it repairs a torn tail, and
// signs what it writes on behalf of who runs karma.
func (g *globals) log() *audit.Log {
	l := audit.New(g.logDirPath())
	l.OnRepair = func(r audit.Repair) {
		what := "added the missing newline after the last event"
		if r.Sidecar != "" {
			what = "moved them to " + r.Sidecar
		}
		fmt.Fprintf(g.stderr, "karma: warning: %s ended with %d bytes of an unfinished write at byte %d (a crash); %s and recorded a log_repaired event\n",
			l.Path(), r.Bytes, r.Offset, what)
	}
	ci, actor := runner.DetectCI(os.Getenv)
	source := g.source
	if source == "" && ci != nil {
		source = "ci"
	} else if source == "" {
		source = "cli"
	}
	host, _ := os.Hostname()
	l.Actor = audit.Actor{User: firstNonEmpty(g.user, actor, os.Getenv("USER"), "unknown"), Source: source, Host: host}
	return l
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// openMirror opens the S3 mirror at url with the global S3 flags.
func (g *globals) openMirror(ctx context.Context, url string) (*s3mirror.Mirror, error) {
	return s3mirror.Open(ctx, s3mirror.Config{URL: url, PathStyle: g.s3PathStyle, SSE: g.sse, KMSKeyID: g.kmsKey})
}

// mirror is the --mirror the log is copied to, or nil.
func (g *globals) mirror(ctx context.Context) (*s3mirror.Mirror, error) {
	if g.mirrorURL == "" {
		if g.mirrorRequired {
			return nil, fmt.Errorf("--mirror-required needs --mirror (or KARMA_MIRROR) to name the mirror")
		}
		return nil, nil
	}
	return g.openMirror(ctx, g.mirrorURL)
}

// store is where a query reads: the mirror named by --from, else the local log.
func (g *globals) store(c *cli.Context) (audit.Store, error) {
	if from := c.String("from"); from != "" {
		return g.openMirror(c.Context, from)
	}
	return g.log(), nil
}

// runner builds the runner for a terraform command.
func (g *globals) runner(ctx context.Context, noColor bool) (*runner.Runner, error) {
	dir, err := filepath.Abs(g.chdir)
	if err != nil {
		return nil, err
	}
	m, err := g.mirror(ctx)
	if err != nil {
		return nil, err
	}
	var mirror audit.Mirror
	if m != nil {
		mirror = m
	}
	var signer *audit.Signer
	if key := os.Getenv("KARMA_SIGNING_KEY"); key != "" {
		if signer, err = audit.LoadSigner(key); err != nil {
			return nil, fmt.Errorf("KARMA_SIGNING_KEY: %w", err)
		}
	}
	return &runner.Runner{
		Signer:         signer,
		Mirror:         mirror,
		MirrorRequired: g.mirrorRequired,
		HandleSignals:  true,
		Dir:            dir,
		Locator:        runner.Locator{Path: g.terraform, Version: os.Getenv("KARMA_TERRAFORM_VERSION")},
		Identity:       runner.Identity{User: g.user, Source: g.source, Component: g.component},
		Log:            g.log(),
		Stdin:          g.stdin,
		Stdout:         g.stdout,
		Stderr:         g.stderr,
		Interactive:    isTerminal(g.stdin),
		Colors:         g.colors(noColor),
		Env:            os.Getenv,
	}, nil
}

// colors are on for a terminal, unless NO_COLOR is set or -no-color given.
func (g *globals) colors(noColor bool) render.Colors {
	return render.Colors{On: !noColor && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb" && isTerminal(g.stdout)}
}

func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
