package main

import (
	"bufio"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/urfave/cli/v2"
	"github.com/usekarma/karma/audit"
)

func logListCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:      "list",
		Usage:     "list events, oldest first",
		ArgsUsage: " ",
		Flags: append(filterFlags(),
			&cli.BoolFlag{Name: "json", Usage: "print each event as stored, one JSON object per line"},
		),
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			f, err := filterOf(c)
			if err != nil {
				return err
			}
			store, err := g.store(c)
			if err != nil {
				return err
			}
			out := bufio.NewWriterSize(g.stdout, 1<<16)
			defer out.Flush()
			var stats audit.ScanStats
			if c.Bool("json") {
				stats, err = audit.ScanStore(c.Context, store, f, func(h audit.Header) error {
					out.Write(h.Line)
					return out.WriteByte('\n')
				})
			} else {
				stats, err = listTable(c, out, store, f)
			}
			warnTorn(g, stats)
			return err
		},
	}
}

// listTable prints events as a table a person can scan.
func listTable(c *cli.Context, w io.Writer, store audit.Store, f audit.Filter) (audit.ScanStats, error) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tACTION\tSTATUS\tCOMPONENT\tUSER\tSOURCE\tCHANGES\tEVENT")
	stats, err := audit.ScanStore(c.Context, store, f, func(h audit.Header) error {
		_, err := fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", h.Timestamp.Format("2006-01-02 15:04:05Z"),
			h.Action, h.Status, h.Component, h.User, h.Source, changeCounts(h), h.ID)
		return err
	})
	tw.Flush()
	return stats, err
}

func changeCounts(h audit.Header) string {
	if h.Summary == nil {
		return "-"
	}
	s := h.Summary
	return fmt.Sprintf("+%d ~%d -%d", s.Add, s.Change, s.Destroy)
}

// warnTorn says so when the log ends in a torn write.
func warnTorn(g *globals, stats audit.ScanStats) {
	if stats.TornBytes > 0 {
		fmt.Fprintf(g.stderr, "karma: warning: %s ends with %d bytes of an unfinished write; the next karma run that writes to the log repairs it\n",
			g.log().Path(), stats.TornBytes)
	}
}
