package s3mirror_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/usekarma/karma/audit"
	"github.com/usekarma/karma/audit/s3mirror"
	"github.com/usekarma/karma/internal/testenv"
)

// openMirror starts a gateway and opens a mirror on a new bucket in it.
func openMirror(t *testing.T) (*testenv.S3, *s3mirror.Mirror) {
	t.Helper()
	s := testenv.StartS3(t)
	for _, kv := range s.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	bucket := s.Bucket("karma")
	m, err := s3mirror.Open(context.Background(), s3mirror.Config{URL: s.URL(bucket, "logs"), PathStyle: true, Timeout: 3 * time.Second})
	require.NoError(t, err)
	return s, m
}

// logWith writes n events to a new log, one a minute from start.
func logWith(t *testing.T, n int, start time.Time) *audit.Log {
	t.Helper()
	l := audit.New(t.TempDir())
	evs := make([]*audit.Event, n)
	for i := range evs {
		evs[i] = &audit.Event{Action: audit.ActionPlan, Status: audit.StatusPlanned, Component: "site",
			Timestamp: audit.Time{Time: start.Add(time.Duration(i) * time.Minute)}}
	}
	require.NoError(t, l.AppendAll(evs))
	return l
}

func TestPutNeverOverwrites(t *testing.T) {
	_, m := openMirror(t)
	ctx := context.Background()

	existed, err := m.Put(ctx, "events/a.json", []byte("first\n"))
	require.NoError(t, err)
	assert.False(t, existed)
	existed, err = m.Put(ctx, "events/a.json", []byte("first\n"))
	require.NoError(t, err, "a retry after a lost response is not an error")
	assert.True(t, existed, "the same bytes are already there")
	_, err = m.Put(ctx, "events/a.json", []byte("other\n"))
	require.ErrorIs(t, err, audit.ErrConflict)
	assert.Contains(t, err.Error(), "s3://karma/logs/events/a.json: another object is already at this key; karma does not overwrite it")
	body, err := m.Get(ctx, "events/a.json")
	require.NoError(t, err)
	assert.Equal(t, "first\n", string(body), "the object is untouched")
}

func TestSyncAfterLostStateUploadsNothingTwice(t *testing.T) {
	s, m := openMirror(t)
	l := logWith(t, 50, time.Now().Add(-time.Hour))
	ctx := context.Background()

	first, err := l.Sync(ctx, m, audit.SyncOptions{})
	require.NoError(t, err)
	require.NoError(t, os.Remove(filepath.Join(l.Dir(), "mirror-state.json")), "as if the sync's answer was lost")
	second, err := l.Sync(ctx, m, audit.SyncOptions{})
	require.NoError(t, err)

	assert.Equal(t, 50, first.Uploaded)
	assert.Equal(t, 0, second.Uploaded)
	assert.Equal(t, 50, second.Present, "every event is found already there, by its checksum")
	assert.Equal(t, 0, second.Pending)
	assert.Len(t, s.Objects("karma", "logs/events/"), 50, "none duplicated")
}

func TestServerStoppedInTheMiddleOfASync(t *testing.T) {
	s, m := openMirror(t)
	l := logWith(t, 3000, time.Now().Add(-72*time.Hour))
	ctx := context.Background()
	var stopped atomic.Bool

	cut, err := l.Sync(ctx, m, audit.SyncOptions{Progress: func(done, _ int) {
		if done >= 300 && stopped.CompareAndSwap(false, true) {
			s.Stop()
		}
	}})
	require.NoError(t, err)
	require.Greater(t, cut.Pending, 0, "events after the stop stay pending")
	require.Error(t, cut.Err)
	assert.Contains(t, cut.Err.Error(), "is unreachable")
	pending, err := l.Pending(m)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, pending, cut.Pending)

	s.Start()
	rest, err := l.Sync(ctx, m, audit.SyncOptions{})
	require.NoError(t, err)

	assert.Equal(t, 0, rest.Pending)
	// The resumed sync starts at the first event not known delivered: events
	// delivered after it, and uploads in flight at the stop whose answer was
	// lost, are found already there, by checksum, and not uploaded again.
	uploaded := cut.Uploaded + rest.Uploaded
	assert.LessOrEqual(t, uploaded, 3000, "nothing uploaded twice")
	assert.GreaterOrEqual(t, uploaded, 3000-32, "at most the uploads in flight at the stop lost their answer")
	assert.Len(t, s.Objects("karma", "logs/events/"), 3000, "every event in the mirror, once")
	reports, err := s3mirror.Verify(ctx, m, l, nil)
	require.NoError(t, err)
	require.Len(t, reports, 1)
	assert.Nil(t, reports[0].Problem)
	assert.Empty(t, reports[0].MissingFromMirror)
}

func TestConflictIsReportedAndNeverOverwritten(t *testing.T) {
	s, m := openMirror(t)
	l := logWith(t, 3, time.Now().Add(-time.Hour))
	ctx := context.Background()
	first := firstLine(t, l)
	key := audit.EventKey(first.Timestamp, first.Seq, first.Chain)
	_, err := m.Put(ctx, key, []byte("someone else's bytes\n"))
	require.NoError(t, err)

	res, err := l.Sync(ctx, m, audit.SyncOptions{})
	require.NoError(t, err)

	assert.Equal(t, []string{key}, res.Conflicts)
	assert.Equal(t, 1, res.Pending, "the conflicting event is not in the mirror; the other two are")
	again, err := l.Sync(ctx, m, audit.SyncOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{key}, again.Conflicts, "the conflict is reported again: the sync does not move past it")
	assert.Equal(t, "someone else's bytes\n", string(s.Objects("karma", "logs/"+key)["logs/"+key]))
}

func TestEventsReadOnlyThePartitionsInRange(t *testing.T) {
	_, m := openMirror(t)
	day := time.Date(2025, 4, 16, 12, 0, 0, 0, time.UTC)
	l := audit.New(t.TempDir())
	var evs []*audit.Event
	for d := range 4 {
		for h := range 3 {
			evs = append(evs, &audit.Event{Action: audit.ActionPlan, Component: "site", Timestamp: audit.Time{Time: day.Add(time.Duration(d)*24*time.Hour + time.Duration(h)*time.Hour)}})
		}
	}
	require.NoError(t, l.AppendAll(evs))
	ctx := context.Background()
	_, err := l.Sync(ctx, m, audit.SyncOptions{})
	require.NoError(t, err)

	refs, err := m.EventRefs(ctx, time.Date(2025, 4, 17, 0, 0, 0, 0, time.UTC), time.Date(2025, 4, 18, 23, 0, 0, 0, time.UTC))
	require.NoError(t, err)

	require.Len(t, refs, 6, "the two days asked for, three events each")
	for _, r := range refs {
		assert.Contains(t, []int{17, 18}, r.Time.Day())
	}
	var seen []int64
	_, err = audit.ScanStore(ctx, m, audit.Filter{Since: time.Date(2025, 4, 17, 13, 0, 0, 0, time.UTC)}, func(h audit.Header) error {
		seen = append(seen, h.Seq)
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, []int64{5, 6, 7, 8, 9, 10, 11, 12}, seen, "the query filters the pruned partitions exactly (since is inclusive), in order")
}

func TestEventKeysRoundTrip(t *testing.T) {
	ts := time.Date(2025, 4, 18, 20, 41, 0, 123e6, time.UTC)
	key := audit.EventKey(ts, 42, "01a241e7-2ce2-7641-b762-b61745ca84cc")

	gotTS, seq, chain, ok := audit.ParseEventKey(key)

	assert.Equal(t, "events/dt=2025-04-18/20250418T204100.123Z_000000000042_01a241e7-2ce2-7641-b762-b61745ca84cc.json", key)
	assert.True(t, ok)
	assert.True(t, ts.Equal(gotTS))
	assert.Equal(t, int64(42), seq)
	assert.Equal(t, "01a241e7-2ce2-7641-b762-b61745ca84cc", chain)
}

func TestUnreachableMirrorIsOneClearError(t *testing.T) {
	s, m := openMirror(t)
	s.Stop()

	_, err := m.Put(context.Background(), "events/a.json", []byte("x"))

	require.Error(t, err)
	assert.Contains(t, err.Error(), "mirror s3://karma/logs is unreachable:")
	assert.Contains(t, err.Error(), "connection refused")
	assert.NotContains(t, err.Error(), "\n")
}

func firstLine(t *testing.T, l *audit.Log) audit.Header {
	t.Helper()
	var first audit.Header
	_, err := audit.Scan(l.Path(), audit.Filter{}, func(h audit.Header) error {
		if first.ID == "" {
			first = h
		}
		return nil
	})
	require.NoError(t, err)
	return first
}
