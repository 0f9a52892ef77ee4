package s3mirror

import (
	"context"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/usekarma/karma/audit"
)

// EventRef is an event object in the mirror, named by its key.
type EventRef struct {
	Key   string
	Time  time.Time
	Seq   int64
	Chain string
}

// Events streams the events recorded between since and until, oldest first,
// as JSON lines: the mirror is a Store, so every query can read it. Only the
// dt= partitions of the days in range are listed.
func (m *Mirror) Events(ctx context.Context, since, until time.Time) (io.ReadCloser, error) {
	refs, err := m.EventRefs(ctx, since, until)
	if err != nil {
		return nil, err
	}
	return m.stream(ctx, refs), nil
}

// Object reads a stored document from the mirror and checks it matches its
// digest.
func (m *Mirror) Object(ctx context.Context, digest string) ([]byte, error) {
	key, err := audit.ObjectKey(digest)
	if err != nil {
		return nil, err
	}
	compressed, err := m.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	return audit.DecodeObject(digest, compressed)
}

// EventRefs lists the event objects of the days between since and until
// (zero: unbounded), in key order: by time, then by place in their chain.
func (m *Mirror) EventRefs(ctx context.Context, since, until time.Time) ([]EventRef, error) {
	partitions, err := m.list(ctx, "events/", "/")
	if err != nil {
		return nil, err
	}
	var refs []EventRef
	for _, p := range partitions {
		day, err := time.Parse("events/dt=2006-01-02/", p)
		if err != nil || !inRange(day, since, until) {
			continue
		}
		keys, err := m.list(ctx, p, "")
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			if ts, seq, chain, ok := audit.ParseEventKey(k); ok {
				refs = append(refs, EventRef{Key: k, Time: ts, Seq: seq, Chain: chain})
			}
		}
	}
	return refs, nil
}

// inRange reports whether any of day lies between since and until.
func inRange(day, since, until time.Time) bool {
	end := day.Add(24 * time.Hour)
	return (since.IsZero() || end.After(since)) && (until.IsZero() || !day.After(until))
}

// list returns the keys (or, with a delimiter, the common prefixes) under
// prefix, relative to the mirror's prefix, in order.
func (m *Mirror) list(ctx context.Context, prefix, delimiter string) ([]string, error) {
	in := &s3.ListObjectsV2Input{Bucket: &m.bucket, Prefix: aws.String(m.prefix + prefix)}
	if delimiter != "" {
		in.Delimiter = &delimiter
	}
	var out []string
	pages := s3.NewListObjectsV2Paginator(m.client, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, m.explain("list "+prefix, err)
		}
		for _, p := range page.CommonPrefixes {
			out = append(out, strings.TrimPrefix(aws.ToString(p.Prefix), m.prefix))
		}
		for _, o := range page.Contents {
			out = append(out, strings.TrimPrefix(aws.ToString(o.Key), m.prefix))
		}
	}
	sort.Strings(out)
	return out, nil
}

// fetchWindow is how many events are fetched at once while streaming.
const fetchWindow = 32

// stream fetches events concurrently and writes them in order to a pipe.
func (m *Mirror) stream(ctx context.Context, refs []EventRef) io.ReadCloser {
	pr, pw := io.Pipe()
	go func() {
		for start := 0; start < len(refs); start += fetchWindow {
			chunk := refs[start:min(start+fetchWindow, len(refs))]
			bodies, err := m.fetchAll(ctx, chunk)
			if err != nil {
				pw.CloseWithError(err)
				return
			}
			for _, b := range bodies {
				if len(b) > 0 && b[len(b)-1] != '\n' {
					b = append(b, '\n')
				}
				if _, err := pw.Write(b); err != nil {
					return
				}
			}
		}
		pw.Close()
	}()
	return pr
}

func (m *Mirror) fetchAll(ctx context.Context, refs []EventRef) ([][]byte, error) {
	bodies := make([][]byte, len(refs))
	errs := make([]error, len(refs))
	var wg sync.WaitGroup
	for i, r := range refs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bodies[i], errs[i] = m.Get(ctx, r.Key)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return bodies, nil
}
