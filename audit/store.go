package audit

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"time"
)

// Store is where queries read events and documents: the local log, or a
// mirror of one or many logs.
type Store interface {
	// Events returns the events recorded between since and until (zero
	// times: unbounded) as JSON lines, oldest first. A store may return more
	// than asked; queries filter again.
	Events(ctx context.Context, since, until time.Time) (io.ReadCloser, error)
	// Object returns the document stored under digest, checked against it.
	Object(ctx context.Context, digest string) ([]byte, error)
	// String names the store.
	String() string
}

// Events returns the local log's events; the time bounds are left to the query.
func (l *Log) Events(context.Context, time.Time, time.Time) (io.ReadCloser, error) {
	f, err := os.Open(l.Path())
	if errors.Is(err, os.ErrNotExist) {
		return io.NopCloser(strings.NewReader("")), nil
	}
	return f, err
}

// Object returns a document from the local object store.
func (l *Log) Object(_ context.Context, digest string) ([]byte, error) {
	return l.objects.Get(digest)
}

// String names the log by its events file.
func (l *Log) String() string { return l.Path() }

// ScanStore streams the events of a store that match f through fn.
func ScanStore(ctx context.Context, s Store, f Filter, fn func(Header) error) (ScanStats, error) {
	rc, err := s.Events(ctx, f.Since, f.Until)
	if err != nil {
		return ScanStats{}, err
	}
	defer rc.Close()
	return ScanReader(rc, f, fn)
}
