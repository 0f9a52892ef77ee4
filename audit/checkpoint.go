package audit

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/tidwall/gjson"
)

// CheckpointsFile holds the signed checkpoints beside the events.
const CheckpointsFile = "checkpoints.jsonl"

// Checkpoint is a signed statement of what the log held at the end of a run:
// the hash of every event since the previous checkpoint. Without the key, an
// edit cannot be hidden by recomputing the chain after it, and a log cut back
// below a checkpoint is caught.
type Checkpoint struct {
	Chain  string   `json:"chain"`
	From   int64    `json:"from"`
	To     int64    `json:"to"`
	Hashes []string `json:"hashes"`
	Time   Time     `json:"time"`
	// Key names the public key that signs: ed25519:<base64>.
	Key       string `json:"key"`
	Signature string `json:"signature,omitempty"`
}

// Signer signs checkpoints with an ed25519 private key.
type Signer struct {
	key ed25519.PrivateKey
}

// LoadSigner reads an ed25519 private key from a PEM file (PKCS #8, as
// `openssl genpkey -algorithm ed25519` writes it).
func LoadSigner(path string) (*Signer, error) {
	key, err := readPEM(path)
	if err != nil {
		return nil, err
	}
	parsed, err := x509.ParsePKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", path, err)
	}
	priv, ok := parsed.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("signing key %s is not an ed25519 key", path)
	}
	return &Signer{key: priv}, nil
}

// Public is the signer's public key.
func (s *Signer) Public() ed25519.PublicKey {
	return s.key.Public().(ed25519.PublicKey)
}

// LoadPublicKey reads the key checkpoints are verified with: an ed25519
// public key (PEM, PKIX) or the private key itself.
func LoadPublicKey(path string) (ed25519.PublicKey, error) {
	der, err := readPEM(path)
	if err != nil {
		return nil, err
	}
	if parsed, err := x509.ParsePKIXPublicKey(der); err == nil {
		if pub, ok := parsed.(ed25519.PublicKey); ok {
			return pub, nil
		}
		return nil, fmt.Errorf("public key %s is not an ed25519 key", path)
	}
	s, err := LoadSigner(path)
	if err != nil {
		return nil, err
	}
	return s.Public(), nil
}

func readPEM(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read key %s: %w", path, unwrapPath(err))
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("key %s is not PEM", path)
	}
	return block.Bytes, nil
}

func keyName(pub ed25519.PublicKey) string {
	return "ed25519:" + base64.StdEncoding.EncodeToString(pub)
}

// sign seals a checkpoint: the signature covers its JSON without the
// signature field, as written.
func (s *Signer) sign(c *Checkpoint) ([]byte, error) {
	c.Key, c.Signature = keyName(s.Public()), ""
	body, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	c.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(s.key, body))
	line := append(body[:len(body)-1:len(body)-1], `,"signature":"`+c.Signature+`"}`+"\n"...)
	return line, nil
}

// openCheckpoint checks a checkpoint line's signature with pub and returns it.
func openCheckpoint(line []byte, pub ed25519.PublicKey) (*Checkpoint, error) {
	i := bytes.LastIndex(line, []byte(`,"signature":"`))
	if i < 0 || !bytes.HasSuffix(line, []byte(`"}`)) {
		return nil, errors.New("it has no signature")
	}
	sig, err := base64.StdEncoding.DecodeString(string(line[i+len(`,"signature":"`) : len(line)-2]))
	if err != nil {
		return nil, errors.New("its signature is not base64")
	}
	body := append(line[:i:i], '}')
	var c Checkpoint
	if err := json.Unmarshal(line, &c); err != nil {
		return nil, err
	}
	if c.Key != keyName(pub) {
		return nil, fmt.Errorf("it was signed by another key (%s)", c.Key)
	}
	if !ed25519.Verify(pub, body, sig) {
		return nil, errors.New("its signature does not verify: it was altered or forged")
	}
	if int64(len(c.Hashes)) != c.To-c.From+1 {
		return nil, errors.New("its hashes do not cover its range")
	}
	return &c, nil
}

// Checkpoint appends a signed checkpoint covering every event since the last
// checkpoint. Runs call it at their end when a signing key is configured.
func (l *Log) Checkpoint(s *Signer) (*Checkpoint, error) {
	unlock, err := l.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	c := &Checkpoint{From: 1, Time: Now()}
	if chain, to := lastCheckpoint(filepath.Join(l.dir, CheckpointsFile)); chain == l.headChain() {
		c.From = to + 1
	}
	if err := l.collectHashes(c); err != nil || len(c.Hashes) == 0 {
		return nil, err
	}
	line, err := s.sign(c)
	if err != nil {
		return nil, err
	}
	return c, appendSynced(filepath.Join(l.dir, CheckpointsFile), line)
}

// collectHashes fills in the chain, range and hashes of the events from c.From
// on, reading the events file backwards only as far as it needs.
func (l *Log) collectHashes(c *Checkpoint) error {
	f, err := os.Open(l.Path())
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	defer f.Close()
	var hashes []string
	err = eachLineBackwards(f, func(line []byte) bool {
		r := gjson.GetManyBytes(line, "seq", "chain")
		if r[0].Int() < c.From {
			return false
		}
		s, err := unseal(line)
		if err != nil {
			return false
		}
		hashes = append(hashes, s.hash)
		c.Chain, c.To = r[1].String(), max(c.To, r[0].Int())
		return true
	})
	for i, j := 0, len(hashes)-1; i < j; i, j = i+1, j-1 {
		hashes[i], hashes[j] = hashes[j], hashes[i]
	}
	c.Hashes = hashes
	c.From = c.To - int64(len(hashes)) + 1
	return err
}

// lastCheckpoint is the chain and last seq the checkpoints file covers.
func lastCheckpoint(path string) (chain string, to int64) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0
	}
	defer f.Close()
	_ = eachLineBackwards(f, func(line []byte) bool {
		r := gjson.GetManyBytes(line, "chain", "to")
		chain, to = r[0].String(), r[1].Int()
		return false
	})
	return chain, to
}

// headChain is the chain of the log's last event, or "".
func (l *Log) headChain() string {
	f, err := os.Open(l.Path())
	if err != nil {
		return ""
	}
	defer f.Close()
	chain := ""
	_ = eachLineBackwards(f, func(line []byte) bool {
		chain = gjson.GetBytes(line, "chain").String()
		return false
	})
	return chain
}

// eachLineBackwards calls fn with each whole line of f, last first, until fn
// returns false. A last line without its newline is skipped.
func eachLineBackwards(f *os.File, fn func([]byte) bool) error {
	info, err := f.Stat()
	if err != nil {
		return err
	}
	end := info.Size()
	var carry []byte
	const chunk = 64 << 10
	for end > 0 {
		start := max(end-chunk, 0)
		buf := make([]byte, end-start)
		if _, err := f.ReadAt(buf, start); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		data := append(buf, carry...)
		for {
			i := bytes.LastIndexByte(data[:max(len(data)-1, 0)], '\n')
			if i < 0 && start > 0 {
				break
			}
			line := data[i+1:]
			data = data[:i+1]
			if bytes.HasSuffix(line, []byte("\n")) && !fn(bytes.TrimSuffix(line, []byte("\n"))) {
				return nil
			}
			if i < 0 {
				return nil
			}
		}
		carry, end = data, start
	}
	return nil
}

// appendSynced appends line to path and fsyncs it, and its directory when
// the file is new.
func appendSynced(path string, line []byte) error {
	created := !exists(path)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("write checkpoint %s: %w", path, unwrapPath(err))
	}
	if _, err := f.Write(line); err != nil {
		f.Close()
		return fmt.Errorf("write checkpoint %s: %w", path, unwrapPath(err))
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if created {
		return syncDir(filepath.Dir(path))
	}
	return nil
}

// Checkpoints are a log's signed checkpoints, to be verified with Key.
type Checkpoints struct {
	Path string
	Key  ed25519.PublicKey
}

// checkpointCursor walks the checkpoints alongside the events, so verify
// holds one checkpoint at a time, however long the log.
type checkpointCursor struct {
	file     *os.File
	lines    *LineReader
	key      ed25519.PublicKey
	lineNo   int64
	cur      *Checkpoint
	verified int
	problem  *Problem
}

func (c *Checkpoints) cursor() *checkpointCursor {
	if c == nil {
		return nil
	}
	cur := &checkpointCursor{key: c.Key}
	if f, err := os.Open(c.Path); err == nil {
		cur.file, cur.lines = f, NewLineReader(f)
		cur.advance()
	}
	return cur
}

func (c *checkpointCursor) close() {
	if c != nil && c.file != nil {
		c.file.Close()
	}
}

// advance moves to the next checkpoint, verifying its signature.
func (c *checkpointCursor) advance() {
	c.cur = nil
	if c.lines == nil || c.problem != nil {
		return
	}
	line, err := c.lines.Next()
	if err != nil {
		return
	}
	c.lineNo++
	cp, err := openCheckpoint(line, c.key)
	if err != nil {
		c.problem = &Problem{File: CheckpointsFile, Line: c.lineNo, Class: Modified, Detail: err.Error()}
		return
	}
	c.verified++
	c.cur = cp
}

// check compares an event's hash with the checkpoint that covers its seq.
func (c *checkpointCursor) check(l *link, chain string) *Problem {
	if c == nil {
		return nil
	}
	for c.cur != nil && c.cur.To < l.seq {
		c.advance()
	}
	if c.problem != nil {
		return c.problem
	}
	if c.cur == nil || l.seq < c.cur.From {
		return nil
	}
	if c.cur.Chain != chain {
		return &Problem{Line: l.line, Class: Modified, Detail: fmt.Sprintf(
			"the log is chain %s, but %s line %d signs chain %s: the log was replaced", chain, CheckpointsFile, c.lineNo, c.cur.Chain)}
	}
	if want := c.cur.Hashes[l.seq-c.cur.From]; want != l.hash {
		return &Problem{Line: l.line, Class: Modified, Detail: fmt.Sprintf(
			"its hash differs from the one signed at %s (%s line %d): the chain was rewritten from this line on",
			c.cur.Time.Format(timeLayout), CheckpointsFile, c.lineNo)}
	}
	return nil
}

// truncation reports a log that ends before the seq a checkpoint covers.
func (c *checkpointCursor) truncation(lastSeq, lines int64) *Problem {
	if c == nil {
		return nil
	}
	for c.cur != nil && c.cur.To <= lastSeq {
		c.advance()
	}
	if c.problem != nil {
		return c.problem
	}
	if c.cur != nil {
		return &Problem{Line: lines + 1, Class: Truncated, Detail: fmt.Sprintf(
			"the log ends at seq %d, but %s line %d, signed at %s, covers events up to seq %d",
			lastSeq, CheckpointsFile, c.lineNo, c.cur.Time.Format(timeLayout), c.cur.To)}
	}
	return nil
}
