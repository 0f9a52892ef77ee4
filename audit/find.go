package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// ErrNotFound is returned when no event matches.
var ErrNotFound = errors.New("no such event")

// minIDPrefix is the shortest id prefix show accepts: UUIDv7 ids begin with
// their timestamp, so shorter prefixes match every event of a minute.
const minIDPrefix = 8

// Find returns the event whose id is id, or starts with it (at least eight
// characters, and matching one event only).
func Find(ctx context.Context, s Store, id string) (*Event, error) {
	if len(id) < minIDPrefix {
		return nil, fmt.Errorf("event id %q is too short: give at least %d characters", id, minIDPrefix)
	}
	var found []byte
	matches := 0
	_, err := ScanStore(ctx, s, Filter{}, func(h Header) error {
		if h.ID == id || strings.HasPrefix(h.ID, id) {
			matches++
			found = append(found[:0], h.Line...)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	switch {
	case matches == 0:
		return nil, fmt.Errorf("%w %s in %s", ErrNotFound, id, s)
	case matches > 1:
		return nil, fmt.Errorf("event id %s matches %d events; give more of it", id, matches)
	}
	return decodeEvent(found)
}

func decodeEvent(line []byte) (*Event, error) {
	var ev Event
	if err := json.Unmarshal(line, &ev); err != nil {
		return nil, fmt.Errorf("read event: %w", err)
	}
	return &ev, nil
}

// Grep streams the events that pass f and whose field values match re: any
// string in the event, resource addresses and diagnostics included, except
// the hash chain's own fields. It calls fn with the first value that matched.
func Grep(ctx context.Context, s Store, f Filter, re *regexp.Regexp, fn func(h Header, match string) error) (ScanStats, error) {
	// A value that matches matches the raw line too, unless the pattern
	// holds characters JSON escapes; then only the walk can tell.
	prefilter := re != nil && !strings.ContainsAny(re.String(), `"\<>&`)
	return ScanStore(ctx, s, f, func(h Header) error {
		if re == nil {
			return fn(h, "")
		}
		if prefilter && !re.Match(h.Line) {
			return nil
		}
		if m := firstMatch(gjson.ParseBytes(h.Line), re); m != "" {
			return fn(h, m)
		}
		return nil
	})
}

// firstMatch walks a JSON value and returns the first string value re matches.
func firstMatch(v gjson.Result, re *regexp.Regexp) string {
	found := ""
	switch {
	case v.IsObject():
		v.ForEach(func(key, val gjson.Result) bool {
			if key.Str == "hash" || key.Str == "prev_hash" || key.Str == "chain" {
				return true
			}
			found = firstMatch(val, re)
			return found == ""
		})
	case v.IsArray():
		v.ForEach(func(_, val gjson.Result) bool {
			found = firstMatch(val, re)
			return found == ""
		})
	case v.Type == gjson.String:
		if re.MatchString(v.Str) {
			return v.Str
		}
	}
	return found
}

// Snapshot is a component's state as one event recorded it.
type Snapshot struct {
	Event *Event
	// Digest names the state document: the apply's post-state, or the plan's
	// pre-state.
	Digest string
}

// SnapshotAt returns the last state recorded for component at or before at
// (zero: the latest): an apply's post-state, or a plan's pre-state, whichever
// is later.
func SnapshotAt(ctx context.Context, s Store, component string, at time.Time) (*Snapshot, error) {
	var line []byte
	_, err := ScanStore(ctx, s, Filter{Component: component, Until: at}, func(h Header) error {
		r := gjson.GetManyBytes(h.Line, "post_state", "pre_state")
		if r[0].Str != "" || r[1].Str != "" {
			line = append(line[:0], h.Line...)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if line == nil {
		return nil, fmt.Errorf("%w: no state of component %q recorded%s", ErrNotFound, component, atText(at))
	}
	ev, err := decodeEvent(line)
	if err != nil {
		return nil, err
	}
	digest := ev.PostState
	if digest == "" {
		digest = ev.PreState
	}
	return &Snapshot{Event: ev, Digest: digest}, nil
}

func atText(at time.Time) string {
	if at.IsZero() {
		return ""
	}
	return " at or before " + at.UTC().Format(time.RFC3339)
}

// Runs returns the apply and destroy events of component between since and
// until that changed something, in order.
func Runs(ctx context.Context, s Store, component string, since, until time.Time) ([]*Event, error) {
	var runs []*Event
	_, err := ScanStore(ctx, s, Filter{Component: component, Since: since, Until: until}, func(h Header) error {
		if h.Action != ActionApply && h.Action != ActionDestroy {
			return nil
		}
		if h.Status == StatusNoChanges || h.Status == StatusRejected {
			return nil
		}
		ev, err := decodeEvent(h.Line)
		if err != nil {
			return err
		}
		runs = append(runs, ev)
		return nil
	})
	return runs, err
}

// Components lists the components that have events, in the order they first
// appear.
func Components(ctx context.Context, s Store) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	_, err := ScanStore(ctx, s, Filter{}, func(h Header) error {
		if h.Component != "" && !seen[h.Component] {
			seen[h.Component] = true
			out = append(out, h.Component)
		}
		return nil
	})
	return out, err
}

// Seqs returns the local log's chain and the seq of every event in it.
func (l *Log) Seqs() (chain string, seqs []int64, err error) {
	_, err = Scan(l.Path(), Filter{}, func(h Header) error {
		seqs = append(seqs, h.Seq)
		if chain == "" {
			chain = gjson.GetBytes(h.Line, "chain").Str
		}
		return nil
	})
	return chain, seqs, err
}
