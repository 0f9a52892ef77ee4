package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"
	"github.com/usekarma/karma/audit"
	"github.com/usekarma/karma/planparse"
	"github.com/usekarma/karma/render"
)

func logGrepCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:      "grep",
		Usage:     "events whose fields or resource addresses match PATTERN (a regular expression)",
		ArgsUsage: "[PATTERN]",
		Flags: append(filterFlags(),
			&cli.BoolFlag{Name: "json", Usage: "print each event as stored, one JSON object per line"},
		),
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			if c.NArg() > 1 {
				return fmt.Errorf("karma log grep takes one PATTERN, got %q (flags go before arguments)", c.Args().Slice())
			}
			f, err := filterOf(c)
			if err != nil {
				return err
			}
			var re *regexp.Regexp
			if c.NArg() == 1 {
				if re, err = regexp.Compile(c.Args().First()); err != nil {
					return fmt.Errorf("PATTERN %q is not a regular expression: %w", c.Args().First(), err)
				}
			}
			out := bufio.NewWriterSize(g.stdout, 1<<16)
			defer out.Flush()
			tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
			if !c.Bool("json") {
				fmt.Fprintln(tw, "TIME\tACTION\tSTATUS\tCOMPONENT\tUSER\tMATCH\tEVENT")
			}
			store, err := g.store(c)
			if err != nil {
				return err
			}
			stats, err := audit.Grep(c.Context, store, f, re, func(h audit.Header, match string) error {
				if c.Bool("json") {
					out.Write(h.Line)
					return out.WriteByte('\n')
				}
				_, err := fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", h.Timestamp.Format("2006-01-02 15:04:05Z"),
					h.Action, h.Status, h.Component, h.User, clip(match, 60), h.ID)
				return err
			})
			tw.Flush()
			warnTorn(g, stats)
			return err
		},
	}
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n-1] + "…"
	}
	return s
}

func logShowCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:      "show",
		Usage:     "one event in full, with its diff and what became of each change",
		ArgsUsage: "ID (or a unique prefix of at least 8 characters)",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print {\"event\": …, \"diff\": …} as JSON"},
			&cli.BoolFlag{Name: "no-color", Usage: "no colour"},
			fromFlag(),
		},
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return fmt.Errorf("karma log show takes one event ID")
			}
			store, err := g.store(c)
			if err != nil {
				return err
			}
			ev, err := audit.Find(c.Context, store, c.Args().First())
			if err != nil {
				return err
			}
			diff, diffDoc, err := loadDiff(c.Context, store, ev.Diff)
			if err != nil {
				return err
			}
			if c.Bool("json") {
				return writeJSON(g.stdout, struct {
					Event *audit.Event    `json:"event"`
					Diff  json.RawMessage `json:"diff"`
				}{ev, diffDoc})
			}
			return render.Event(g.stdout, ev, diff, g.colors(c.Bool("no-color")))
		},
	}
}

// loadDiff reads an event's stored diff; an event without one has none.
func loadDiff(ctx context.Context, store audit.Store, digest string) (*planparse.Diff, json.RawMessage, error) {
	if digest == "" {
		return nil, json.RawMessage("null"), nil
	}
	doc, err := store.Object(ctx, digest)
	if err != nil {
		return nil, nil, err
	}
	var d planparse.Diff
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, nil, fmt.Errorf("read diff %s: %w", digest, err)
	}
	return &d, doc, nil
}

func logStateCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:      "state",
		Usage:     "a component's redacted state as of a time (the latest by default)",
		ArgsUsage: " ",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "component", Required: true, Usage: "the component"},
			&cli.StringFlag{Name: "at", Usage: "as of this time: RFC 3339, a date, or a duration back (36h, 7d)"},
			&cli.BoolFlag{Name: "json", Usage: "print the state document (terraform show -json, redacted)"},
			&cli.BoolFlag{Name: "no-color", Usage: "no colour"},
			fromFlag(),
		},
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			at, err := timeFlag(c, "at", audit.ParseUntil)
			if err != nil {
				return err
			}
			store, err := g.store(c)
			if err != nil {
				return err
			}
			snap, err := audit.SnapshotAt(c.Context, store, c.String("component"), at)
			if err != nil {
				return err
			}
			doc, err := store.Object(c.Context, snap.Digest)
			if err != nil {
				return err
			}
			if c.Bool("json") {
				_, err := g.stdout.Write(append(doc, '\n'))
				return err
			}
			ev := snap.Event
			fmt.Fprintf(g.stdout, "# state of %s as recorded by %s %s at %s (event %s, %s)\n\n", ev.Component, ev.Action, ev.Status,
				ev.Timestamp.UTC().Format("2006-01-02 15:04:05Z"), ev.ID, ev.User)
			return render.State(g.stdout, doc, g.colors(c.Bool("no-color")))
		},
	}
}

func logDiffCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:      "diff",
		Usage:     "how recorded state changed between two times, per resource and attribute, and which runs changed it",
		ArgsUsage: " ",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "before", Required: true, Usage: "the earlier time: RFC 3339, a date, or a duration back (36h, 7d)"},
			&cli.StringFlag{Name: "after", Usage: "the later time (default: now)"},
			&cli.StringFlag{Name: "component", Usage: "only this component (default: every component)"},
			&cli.BoolFlag{Name: "json", Usage: "print the differences as JSON"},
			&cli.BoolFlag{Name: "no-color", Usage: "no colour"},
			fromFlag(),
		},
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			before, err := timeFlag(c, "before", audit.ParseUntil)
			if err != nil {
				return err
			}
			after, err := timeFlag(c, "after", audit.ParseUntil)
			if err != nil {
				return err
			}
			if !after.IsZero() && after.Before(before) {
				return fmt.Errorf("--after (%s) is before --before (%s)", after.Format(time.RFC3339), before.Format(time.RFC3339))
			}
			store, err := g.store(c)
			if err != nil {
				return err
			}
			components := []string{c.String("component")}
			if components[0] == "" {
				if components, err = audit.Components(c.Context, store); err != nil {
					return err
				}
			}
			var diffs []*audit.ComponentDiff
			for _, comp := range components {
				d, err := audit.DiffComponent(c.Context, store, comp, before, after)
				if errors.Is(err, audit.ErrNotFound) && c.String("component") == "" {
					continue
				}
				if err != nil {
					return err
				}
				diffs = append(diffs, d)
			}
			if c.Bool("json") {
				return writeJSON(g.stdout, map[string]any{"components": diffs})
			}
			return render.StateDiffs(g.stdout, diffs, g.colors(c.Bool("no-color")))
		},
	}
}

// timeFlag reads a time flag; unset is the zero time.
func timeFlag(c *cli.Context, name string, parse func(string, time.Time) (time.Time, error)) (time.Time, error) {
	s := c.String(name)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := parse(s, time.Now())
	if err != nil {
		return t, fmt.Errorf("--%s: %w", name, err)
	}
	return t, nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
