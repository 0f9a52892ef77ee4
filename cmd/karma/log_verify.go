package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"
	"github.com/usekarma/karma/audit"
	"github.com/usekarma/karma/runner"
)

func logVerifyCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:      "verify",
		Usage:     "recompute the hash chain from the bytes on disk and check the signed checkpoints",
		ArgsUsage: " ",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "public-key", EnvVars: []string{"KARMA_VERIFY_KEY"},
				Usage: "ed25519 public key (PEM) the checkpoints are signed with (default: from KARMA_SIGNING_KEY)"},
			&cli.BoolFlag{Name: "repair", Usage: "first repair a torn last line left by a crash, as the next run would"},
			&cli.BoolFlag{Name: "json", Usage: "print the report as JSON"},
		},
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			l := g.log()
			if c.Bool("repair") {
				if err := l.Prepare(); err != nil {
					return err
				}
			}
			cps, err := g.checkpoints(c.String("public-key"))
			if err != nil {
				return err
			}
			report, err := audit.Verify(l.Path(), cps)
			if err != nil {
				return err
			}
			if cps != nil && report.Problem == nil && report.Events > 0 && report.Checkpoints == 0 {
				report.Problem = &audit.Problem{File: audit.CheckpointsFile, Line: 0, Class: "unsigned",
					Detail: "a verification key is set, but no signed checkpoint covers the log: the checkpoints were removed, or no run has signed yet"}
			}
			return printVerify(g, l, report, c.Bool("json"))
		},
	}
}

// checkpoints returns the signed checkpoints to verify and their key: from
// --public-key, else the key KARMA_SIGNING_KEY signs with; nil without either.
func (g *globals) checkpoints(publicKey string) (*audit.Checkpoints, error) {
	keyFile := publicKey
	if keyFile == "" {
		keyFile = os.Getenv("KARMA_SIGNING_KEY")
	}
	if keyFile == "" {
		return nil, nil
	}
	key, err := audit.LoadPublicKey(keyFile)
	if err != nil {
		return nil, err
	}
	return &audit.Checkpoints{Path: filepath.Join(g.logDirPath(), audit.CheckpointsFile), Key: key}, nil
}

func printVerify(g *globals, l *audit.Log, r *audit.Report, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(g.stdout)
		if err := enc.Encode(r); err != nil {
			return err
		}
		if r.Problem != nil {
			return &runner.ExitError{Code: 1}
		}
		return nil
	}
	if r.Problem != nil {
		return &runner.ExitError{Code: 1, Err: fmt.Errorf("%s is not intact: %s line %d: %s: %s",
			l.Path(), r.Problem.File, r.Problem.Line, r.Problem.Class, r.Problem.Detail)}
	}
	signed := "no signed checkpoints checked (no key)"
	if r.Checkpoints > 0 {
		signed = fmt.Sprintf("%d signed checkpoint(s) verified", r.Checkpoints)
	}
	if r.Events == 0 {
		fmt.Fprintf(g.stdout, "karma: %s holds no events\n", l.Path())
		return nil
	}
	fmt.Fprintf(g.stdout, "karma: log intact: %d events, chain %s, seq %d-%d, head %s; %s\n",
		r.Events, r.Chain, r.FirstSeq, r.LastSeq, r.Head, signed)
	return nil
}
