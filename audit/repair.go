package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
)

// Repair describes a torn tail the log found and mended: the bytes a crash left
// after the last whole event.
type Repair struct {
	// Offset is where the torn bytes started in the events file.
	Offset int64
	// Bytes is how many bytes were torn.
	Bytes int
	// Sidecar is the file the torn bytes were moved to; empty when the tail was
	// a whole event that only lacked its newline, which was added.
	Sidecar string
}

// repair mends a torn tail: a last line without its newline, or with NUL bytes
// (a crash mid-write). A tail that is a whole, verifying event only gets its
// newline. Anything else moves to a sidecar file, the log is cut back to its
// last whole event, and a log_repaired event records what happened. No whole
// event is ever removed or rewritten.
func (l *Log) repair(f *os.File, data []byte, start int64) error {
	body := data
	if data[len(data)-1] == '\n' {
		body = data[:len(data)-1]
	}
	cut := bytes.LastIndexByte(body, '\n') + 1
	torn := data[cut:]
	r := Repair{Offset: start + int64(cut), Bytes: len(torn)}
	if isWholeEvent(torn) {
		if _, err := f.Write([]byte("\n")); err != nil {
			return fmt.Errorf("repair audit log %s: %w", l.Path(), unwrapPath(err))
		}
	} else if err := l.cutTail(f, torn, &r); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("repair audit log %s: fsync: %w", l.Path(), unwrapPath(err))
	}
	if err := l.recordRepair(f, r, torn); err != nil {
		return err
	}
	if l.OnRepair != nil {
		l.OnRepair(r)
	}
	return nil
}

func isWholeEvent(torn []byte) bool {
	if bytes.IndexByte(torn, 0) >= 0 {
		return false
	}
	s, err := unseal(bytes.TrimSuffix(torn, []byte("\n")))
	return err == nil && s.hash == s.computed
}

// cutTail moves the torn bytes to a sidecar file, fsyncs it, then truncates the log.
func (l *Log) cutTail(f *os.File, torn []byte, r *Repair) error {
	name := fmt.Sprintf("%s.torn-%s-%d", EventsFile, Now().Format("20060102T150405.000Z"), r.Offset)
	r.Sidecar = filepath.Join(l.dir, name)
	if err := writeSynced(r.Sidecar, torn); err != nil {
		return fmt.Errorf("repair audit log %s: save torn bytes: %w", l.Path(), err)
	}
	if err := f.Truncate(r.Offset); err != nil {
		return fmt.Errorf("repair audit log %s: %w", l.Path(), unwrapPath(err))
	}
	return syncDir(l.dir)
}

func (l *Log) recordRepair(f *os.File, r Repair, torn []byte) error {
	t, err := l.readTail(f)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(torn)
	detail := map[string]any{"offset": r.Offset, "bytes": r.Bytes, "sha256": hex.EncodeToString(sum[:])}
	if r.Sidecar != "" {
		detail["sidecar"] = filepath.Base(r.Sidecar)
	} else {
		detail["newline_added"] = true
	}
	ev := &Event{Action: ActionLogRepaired, Status: StatusRepaired, RunID: NewID(), Detail: detail}
	l.stampSystem(ev)
	return l.write(f, t, ev)
}

// stampSystem fills in who wrote an event karma makes on its own behalf.
func (l *Log) stampSystem(ev *Event) {
	ev.User, ev.Source, ev.Host = l.Actor.User, l.Actor.Source, l.Actor.Host
}

func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
