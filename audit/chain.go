package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
)

// digestPrefix starts every hash and digest karma writes.
const digestPrefix = "sha256:"

// Genesis is the prev_hash of the first event of a chain.
var Genesis = digestPrefix + strings.Repeat("0", 64)

const (
	hashFieldOpen = `,"hash":"` + digestPrefix
	prevFieldOpen = `,"prev_hash":"` + digestPrefix
	// hashSuffixLen is the length of `,"hash":"sha256:<64 hex>"}` ending every line.
	hashSuffixLen = len(hashFieldOpen) + 64 + len(`"}`)
	// prevFieldLen is the length of `,"prev_hash":"sha256:<64 hex>"` before it.
	prevFieldLen = len(prevFieldOpen) + 64 + len(`"`)
)

// encodeLine sets ev.Hash and returns the line to append, newline included.
// The hash is SHA-256 over the event's JSON without its hash field: exactly the
// bytes of the line with `,"hash":"…"` cut out, so verify recomputes it from
// the bytes on disk, never from a re-encoding.
func encodeLine(ev *Event) ([]byte, error) {
	ev.Hash = ""
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(ev); err != nil {
		return nil, fmt.Errorf("encode event: %w", err)
	}
	body := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	sum := sha256.Sum256(body)
	ev.Hash = digestPrefix + hex.EncodeToString(sum[:])
	line := make([]byte, 0, len(body)+hashSuffixLen+1)
	line = append(line, body[:len(body)-1]...)
	line = append(line, `,"hash":"`...)
	line = append(line, ev.Hash...)
	line = append(line, "\"}\n"...)
	return line, nil
}

// sealed is what the chain needs of one line, read without decoding it.
type sealed struct {
	hash     string // the hash the line records
	prevHash string // the prev_hash the line records
	computed string // the hash of the line's bytes
}

// unseal reads the hash fields at the end of a line (without its newline) and
// recomputes the hash. It fails when the line does not end as karma writes.
func unseal(line []byte) (sealed, error) {
	n := len(line)
	if n < hashSuffixLen+prevFieldLen+2 || !bytes.HasSuffix(line, []byte(`"}`)) {
		return sealed{}, fmt.Errorf("line does not end with a hash field")
	}
	hashStart := n - hashSuffixLen
	if string(line[hashStart:hashStart+len(hashFieldOpen)]) != hashFieldOpen {
		return sealed{}, fmt.Errorf("line does not end with a hash field")
	}
	prevStart := hashStart - prevFieldLen
	if string(line[prevStart:prevStart+len(prevFieldOpen)]) != prevFieldOpen || line[hashStart-1] != '"' {
		return sealed{}, fmt.Errorf("line has no prev_hash field before its hash")
	}
	h := sha256.New()
	h.Write(line[:hashStart])
	h.Write([]byte("}"))
	return sealed{
		hash:     string(line[hashStart+len(`,"hash":"`) : n-2]),
		prevHash: string(line[prevStart+len(`,"prev_hash":"`) : hashStart-1]),
		computed: digestPrefix + hex.EncodeToString(h.Sum(nil)),
	}, nil
}
