package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/klauspost/compress/zstd"
)

// Objects is a content-addressed store of redacted documents (plans, diffs,
// states), compressed with zstd. A document is named by the SHA-256 of its
// uncompressed bytes, so an identical document is stored once.
type Objects struct {
	dir string
}

// zstd's fastest level: a 300-resource state compresses in about a millisecond,
// to a fifth of its size. Both coders are safe for concurrent use.
var (
	encoder, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest))
	decoder, _ = zstd.NewReader(nil)
)

// Digest returns the name a document is stored under: sha256:<hex>.
func Digest(doc []byte) string {
	sum := sha256.Sum256(doc)
	return digestPrefix + hex.EncodeToString(sum[:])
}

// Put stores doc and returns its digest. Storing a document already present
// writes nothing.
func (o *Objects) Put(doc []byte) (string, error) {
	digest := Digest(doc)
	path, err := o.Path(digest)
	if err != nil {
		return "", err
	}
	if exists(path) {
		return digest, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("store object %s: %w", digest, err)
	}
	if err := writeAtomic(path, encoder.EncodeAll(doc, nil)); err != nil {
		return "", fmt.Errorf("store object %s: %w", digest, err)
	}
	return digest, nil
}

// Get returns the document stored under digest, checking its bytes match it.
func (o *Objects) Get(digest string) ([]byte, error) {
	path, err := o.Path(digest)
	if err != nil {
		return nil, err
	}
	compressed, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read object %s: %w", digest, err)
	}
	return DecodeObject(digest, compressed)
}

// DecodeObject decompresses a stored object and checks it matches its digest.
func DecodeObject(digest string, compressed []byte) ([]byte, error) {
	doc, err := decoder.DecodeAll(compressed, nil)
	if err != nil {
		return nil, fmt.Errorf("read object %s: %w", digest, err)
	}
	if Digest(doc) != digest {
		return nil, fmt.Errorf("read object %s: its content does not match its digest", digest)
	}
	return doc, nil
}

// Path is where the object with digest is stored: objects/ab/cdef….json.zst.
func (o *Objects) Path(digest string) (string, error) {
	name, err := ObjectName(digest)
	if err != nil {
		return "", err
	}
	return filepath.Join(o.dir, filepath.FromSlash(name)), nil
}

// ObjectName is an object's path relative to the objects directory.
func ObjectName(digest string) (string, error) {
	hexsum, ok := strings.CutPrefix(digest, digestPrefix)
	if !ok || len(hexsum) != 64 {
		return "", fmt.Errorf("%q is not a sha256:<hex> digest", digest)
	}
	if _, err := hex.DecodeString(hexsum); err != nil {
		return "", fmt.Errorf("%q is not a sha256:<hex> digest", digest)
	}
	return hexsum[:2] + "/" + hexsum[2:] + ".json.zst", nil
}

// writeAtomic writes data to a temporary file beside path, fsyncs it and renames
// it into place, so a reader never sees half an object.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	return syncDir(filepath.Dir(path))
}
