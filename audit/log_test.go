package audit

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func appendEvents(t *testing.T, l *Log, events ...*Event) {
	t.Helper()
	for _, ev := range events {
		require.NoError(t, l.Append(ev))
	}
}

func TestAppendChainsEvents(t *testing.T) {
	l := New(t.TempDir())
	a := &Event{Action: ActionPlan, Status: StatusPlanned, Component: "site"}
	b := &Event{Action: ActionApply, Status: StatusApplied, Component: "site"}

	appendEvents(t, l, a, b)

	data, err := os.ReadFile(l.Path())
	require.NoError(t, err)
	lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	require.Len(t, lines, 2)
	assert.Equal(t, int64(1), a.Seq)
	assert.Equal(t, int64(2), b.Seq)
	assert.Equal(t, a.Chain, b.Chain)
	assert.Equal(t, Genesis, a.PrevHash)
	assert.Equal(t, a.Hash, b.PrevHash)
	for i, line := range lines {
		s, err := unseal(line)
		require.NoError(t, err)
		assert.Equal(t, s.computed, s.hash, "line %d hashes to what it records", i+1)
		var ev Event
		require.NoError(t, json.Unmarshal(line, &ev), "each line is one JSON event")
	}
	info, err := os.Stat(l.Path())
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "the log is private to its owner")
}

func TestAppendRefusesToChainAfterABadLine(t *testing.T) {
	l := New(t.TempDir())
	appendEvents(t, l, &Event{Action: ActionPlan})
	data, _ := os.ReadFile(l.Path())
	require.NoError(t, os.WriteFile(l.Path(), bytes.Replace(data, []byte("terraform_plan"), []byte("terraform_PLAN"), 1), 0o600))

	err := l.Append(&Event{Action: ActionApply})

	require.ErrorIs(t, err, ErrBadTail)
	after, _ := os.ReadFile(l.Path())
	assert.Equal(t, 1, bytes.Count(after, []byte("\n")), "nothing was appended after the tampered line")
}

func TestScanFilters(t *testing.T) {
	l := New(t.TempDir())
	at := func(s string) Time { ts, _ := time.Parse(time.RFC3339, s); return Time{ts} }
	appendEvents(t, l,
		&Event{Action: ActionPlan, Status: StatusPlanned, Component: "site", User: "ann", Source: "ci", RunID: "r1", Timestamp: at("2025-04-17T10:00:00Z")},
		&Event{Action: ActionApply, Status: StatusApplied, Component: "site", User: "ann", Source: "ci", RunID: "r1", Timestamp: at("2025-04-18T10:00:00Z")},
		&Event{Action: ActionApply, Status: StatusFailed, Component: "db", User: "bob", Source: "cli", RunID: "r2", Timestamp: at("2025-04-18T20:00:00Z"),
			Inputs: map[string]any{"note": `"component":"site"`}},
	)
	cases := []struct {
		name   string
		filter Filter
		want   []int64
	}{
		{"everything", Filter{}, []int64{1, 2, 3}},
		{"component", Filter{Component: "site"}, []int64{1, 2}},
		{"component text elsewhere in the line does not match", Filter{Component: "site", User: "bob"}, nil},
		{"action and status", Filter{Action: ActionApply, Status: StatusFailed}, []int64{3}},
		{"user", Filter{User: "bob"}, []int64{3}},
		{"source", Filter{Source: "ci"}, []int64{1, 2}},
		{"run", Filter{Run: "r1"}, []int64{1, 2}},
		{"since", Filter{Since: at("2025-04-18T00:00:00Z").Time}, []int64{2, 3}},
		{"until", Filter{Until: at("2025-04-18T12:00:00Z").Time}, []int64{1, 2}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []int64
			_, err := Scan(l.Path(), tc.filter, func(h Header) error {
				got = append(got, h.Seq)
				return nil
			})
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestParseTime(t *testing.T) {
	now := time.Date(2025, 4, 18, 20, 0, 0, 0, time.UTC)
	cases := []struct {
		in    string
		since time.Time
		until time.Time
	}{
		{"2025-04-18T20:41:00Z", time.Date(2025, 4, 18, 20, 41, 0, 0, time.UTC), time.Date(2025, 4, 18, 20, 41, 0, 0, time.UTC)},
		{"2025-04-18", time.Date(2025, 4, 18, 0, 0, 0, 0, time.UTC), time.Date(2025, 4, 18, 23, 59, 59, 999999999, time.UTC)},
		{"36h", now.Add(-36 * time.Hour), now.Add(-36 * time.Hour)},
		{"7d", now.Add(-7 * 24 * time.Hour), now.Add(-7 * 24 * time.Hour)},
	}
	for _, tc := range cases {
		since, err := ParseSince(tc.in, now)
		require.NoError(t, err, tc.in)
		until, err := ParseUntil(tc.in, now)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.since, since, tc.in)
		assert.Equal(t, tc.until, until, tc.in)
	}
	_, err := ParseSince("last tuesday", now)
	assert.ErrorContains(t, err, `"last tuesday" is not a time`)
}

func TestObjectsAreStoredOnceAndVerified(t *testing.T) {
	dir := t.TempDir()
	o := &Objects{dir: filepath.Join(dir, "objects")}
	doc := []byte(`{"format_version":"1.0","resources":[` + strings.Repeat(`{"type":"terraform_data","name":"r"},`, 50) + `{}]}`)

	d1, err := o.Put(doc)
	require.NoError(t, err)
	d2, err := o.Put(doc)
	require.NoError(t, err)
	got, err := o.Get(d1)
	require.NoError(t, err)

	assert.Equal(t, d1, d2)
	assert.Equal(t, doc, got)
	path, _ := o.Path(d1)
	compressed, _ := os.ReadFile(path)
	assert.Less(t, len(compressed), len(doc)/4, "stored compressed")
	require.NoError(t, os.WriteFile(path, encoder.EncodeAll([]byte(`{"format_version":"2.0"}`), nil), 0o600))
	_, err = o.Get(d1)
	assert.ErrorContains(t, err, "does not match its digest")
}
