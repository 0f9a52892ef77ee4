package runner

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/hashicorp/go-version"
	install "github.com/hashicorp/hc-install"
	"github.com/hashicorp/hc-install/fs"
	"github.com/hashicorp/hc-install/product"
	"github.com/hashicorp/hc-install/releases"
	"github.com/hashicorp/hc-install/src"
)

// ErrTerraformNotFound is returned when no terraform binary can be found or
// downloaded.
var ErrTerraformNotFound = errors.New("terraform not found")

// Locator says where to find terraform: an exact path, else PATH (and karma's
// download cache), else a download of Version (or the latest release).
type Locator struct {
	// Path is --terraform / KARMA_TERRAFORM: this binary and no other.
	Path string
	// Version is KARMA_TERRAFORM_VERSION: the release to download when none is
	// found; empty means the latest.
	Version string
	// CacheDir keeps downloaded releases; empty means $XDG_CACHE_HOME/karma/terraform.
	CacheDir string
}

// Find returns the path of the terraform binary to run.
func (l Locator) Find(ctx context.Context) (string, error) {
	if l.Path != "" {
		return l.exact()
	}
	cache, err := l.cacheDir()
	if err != nil {
		return "", err
	}
	download, err := l.download(cache)
	if err != nil {
		return "", err
	}
	sources := []src.Source{&fs.AnyVersion{Product: &product.Terraform, ExtraPaths: []string{cache}}, download}
	path, err := install.NewInstaller().Ensure(ctx, sources)
	if err != nil {
		return "", fmt.Errorf("%w on PATH, and downloading it failed (%v); install terraform, or set --terraform or KARMA_TERRAFORM to its path", ErrTerraformNotFound, err)
	}
	return path, nil
}

func (l Locator) exact() (string, error) {
	path, err := exec.LookPath(l.Path)
	if err != nil {
		return "", fmt.Errorf("%w at %s (from --terraform or KARMA_TERRAFORM): %w", ErrTerraformNotFound, l.Path, unwrapExec(err))
	}
	return filepath.Abs(path)
}

// download is the last source: a release from releases.hashicorp.com. Its
// HTTP client does not retry, so a machine without network fails in
// milliseconds rather than after hc-install's backoff.
func (l Locator) download(cache string) (src.Source, error) {
	const timeout = 2 * time.Minute
	client := &http.Client{Timeout: timeout}
	if l.Version == "" {
		return &releases.LatestVersion{Product: product.Terraform, InstallDir: cache, Timeout: timeout, HTTPClient: client}, nil
	}
	v, err := version.NewVersion(l.Version)
	if err != nil {
		return nil, fmt.Errorf("KARMA_TERRAFORM_VERSION %q is not a version: %w", l.Version, err)
	}
	return &releases.ExactVersion{Product: product.Terraform, Version: v, InstallDir: cache, Timeout: timeout, HTTPClient: client}, nil
}

func (l Locator) cacheDir() (string, error) {
	dir := l.CacheDir
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("find a cache directory for terraform downloads: %w", err)
		}
		dir = filepath.Join(base, "karma", "terraform")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create terraform download cache %s: %w", dir, err)
	}
	return dir, nil
}

// unwrapExec keeps the reason of a lookup error, without the path it repeats.
func unwrapExec(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var ee *exec.Error
	if errors.As(err, &ee) {
		return ee.Err
	}
	return err
}
