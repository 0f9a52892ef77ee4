package main

import (
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"
	"github.com/usekarma/karma/audit"
	"github.com/usekarma/karma/audit/s3mirror"
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
			&cli.StringFlag{Name: "from", Usage: "verify the chains in the mirror at s3://bucket/prefix, and what of the local log it lacks"},
		},
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			if from := c.String("from"); from != "" {
				return verifyMirror(c, g, from)
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

// verifyMirror verifies every chain stored in a mirror.
func verifyMirror(c *cli.Context, g *globals, from string) error {
	m, err := g.openMirror(c.Context, from)
	if err != nil {
		return err
	}
	var key ed25519.PublicKey
	if cps, err := g.checkpoints(c.String("public-key")); err != nil {
		return err
	} else if cps != nil {
		key = cps.Key
	}
	reports, err := s3mirror.Verify(c.Context, m, g.log(), key)
	if err != nil {
		return err
	}
	bad := 0
	for _, r := range reports {
		if r.Problem != nil || len(r.MissingFromMirror) > 0 || (key != nil && r.Events > 0 && r.Checkpoints == 0) {
			bad++
		}
	}
	if c.Bool("json") {
		if err := writeJSON(g.stdout, map[string]any{"mirror": m.String(), "chains": reports}); err != nil {
			return err
		}
	} else {
		printMirrorReports(g, m.String(), reports, key != nil)
	}
	if bad > 0 {
		return &runner.ExitError{Code: 1, Err: fmt.Errorf("%s: %d of %d chain(s) not intact or incomplete", m, bad, len(reports))}
	}
	return nil
}

func printMirrorReports(g *globals, mirror string, reports []s3mirror.ChainReport, keyed bool) {
	if len(reports) == 0 {
		fmt.Fprintf(g.stdout, "karma: %s holds no events\n", mirror)
	}
	for _, r := range reports {
		switch {
		case r.Problem != nil:
			fmt.Fprintf(g.stdout, "chain %s: not intact: event %d of the chain in seq order: %s: %s\n", r.Chain, r.Problem.Line, r.Problem.Class, r.Problem.Detail)
		case keyed && r.Events > 0 && r.Checkpoints == 0:
			fmt.Fprintf(g.stdout, "chain %s: %d events, but no signed checkpoint in the mirror\n", r.Chain, r.Events)
		default:
			fmt.Fprintf(g.stdout, "chain %s: intact: %d events, seq %d-%d, %d signed checkpoint(s) verified\n", r.Chain, r.Events, r.FirstSeq, r.LastSeq, r.Checkpoints)
		}
		if n := len(r.MissingFromMirror); n > 0 {
			fmt.Fprintf(g.stdout, "chain %s: %d event(s) of the local log are not in the mirror: seq %s (pending? run karma log sync)\n",
				r.Chain, n, seqRanges(r.MissingFromMirror))
		}
	}
}

// seqRanges writes 1,2,3,7 as 1-3,7.
func seqRanges(seqs []int64) string {
	var parts []string
	for i := 0; i < len(seqs); {
		j := i
		for j+1 < len(seqs) && seqs[j+1] == seqs[j]+1 {
			j++
		}
		if i == j {
			parts = append(parts, fmt.Sprint(seqs[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", seqs[i], seqs[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
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
