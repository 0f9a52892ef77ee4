package main

import (
	"github.com/urfave/cli/v2"
	"github.com/usekarma/karma/audit"
)

func logCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:  "log",
		Usage: "query the audit log: who changed what, when, why, and what broke",
		Subcommands: []*cli.Command{
			logListCommand(g),
			logGrepCommand(g),
			logShowCommand(g),
			logStateCommand(g),
			logDiffCommand(g),
			logVerifyCommand(g),
			logSyncCommand(g),
		},
		OnUsageError: usageError,
	}
}

// filterFlags are the filters every log query takes.
func filterFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "component", Usage: "only this component"},
		&cli.StringFlag{Name: "action", Usage: "only this action (terraform_plan, terraform_apply, terraform_destroy)"},
		&cli.StringFlag{Name: "status", Usage: "only this status (planned, no_changes, applied, failed, interrupted, rejected, errored)"},
		&cli.StringFlag{Name: "user", Usage: "only this user"},
		&cli.StringFlag{Name: "source", Usage: "only this source (ci, cli)"},
		&cli.StringFlag{Name: "run", Usage: "only this run id"},
		&cli.StringFlag{Name: "since", Usage: "from this time: RFC 3339, a date (2025-04-18), or a duration back (36h, 7d)"},
		&cli.StringFlag{Name: "until", Usage: "up to this time, in the same forms"},
		fromFlag(),
	}
}

// fromFlag reads a mirror instead of the local log.
func fromFlag() cli.Flag {
	return &cli.StringFlag{Name: "from", Usage: "read the mirror at s3://bucket/prefix instead of the local log"}
}

// filterOf reads the filter flags.
func filterOf(c *cli.Context) (audit.Filter, error) {
	f := audit.Filter{
		Component: c.String("component"), Action: c.String("action"), Status: c.String("status"),
		User: c.String("user"), Source: c.String("source"), Run: c.String("run"),
	}
	var err error
	if f.Since, err = timeFlag(c, "since", audit.ParseSince); err != nil {
		return f, err
	}
	f.Until, err = timeFlag(c, "until", audit.ParseUntil)
	return f, err
}
