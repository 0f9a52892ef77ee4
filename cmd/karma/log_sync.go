package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v2"
	"github.com/usekarma/karma/audit"
	"github.com/usekarma/karma/runner"
)

func logSyncCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:         "sync",
		Usage:        "upload to the --mirror every event and document not there yet",
		ArgsUsage:    " ",
		Flags:        []cli.Flag{&cli.IntFlag{Name: "concurrency", Value: 32, Usage: "uploads at once"}},
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			m, err := g.mirror(c.Context)
			if err != nil {
				return err
			}
			if m == nil {
				return errors.New("karma log sync needs --mirror s3://bucket/prefix (or KARMA_MIRROR)")
			}
			l := g.log()
			if err := l.Prepare(); err != nil {
				return err
			}
			opts := audit.SyncOptions{Concurrency: c.Int("concurrency")}
			if bar := g.progress(); bar != nil {
				defer bar.Finish()
				opts.Progress = func(done, total int) {
					bar.ChangeMax(total)
					_ = bar.Set(done)
				}
			}
			res, err := l.Sync(c.Context, m, opts)
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stderr, "karma: synced %s to %s: %d uploaded, %d already there, %d conflict(s), %d event(s) pending\n",
				l.Dir(), m, res.Uploaded, res.Present, len(res.Conflicts), res.Pending)
			switch {
			case len(res.Conflicts) > 0:
				return &runner.ExitError{Code: 1, Err: fmt.Errorf("%s holds other bytes at %s; karma does not overwrite them", m, res.Conflicts[0])}
			case res.Err != nil:
				return &runner.ExitError{Code: 1, Err: res.Err}
			}
			return nil
		},
	}
}

// progress is a progress bar on stderr when stderr is a terminal, else nil.
func (g *globals) progress() *progressbar.ProgressBar {
	if !isTerminal(g.stderr) || os.Getenv("CI") == "true" {
		return nil
	}
	return progressbar.NewOptions(-1, progressbar.OptionSetWriter(g.stderr), progressbar.OptionSetDescription("syncing events"),
		progressbar.OptionShowCount(), progressbar.OptionClearOnFinish())
}
