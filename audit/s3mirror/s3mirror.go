// Package s3mirror keeps a copy of karma's audit log in S3, or any server that
// speaks S3, and reads it back. It writes with If-None-Match: *, so nothing
// in the bucket is ever overwritten.
package s3mirror

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/usekarma/karma/audit"
)

// Config names a mirror and says how to reach it. Endpoint, region and
// credentials come from the standard AWS chain (AWS_ENDPOINT_URL_S3,
// AWS_REGION, AWS_PROFILE, AWS_ACCESS_KEY_ID, instance and web identity roles…).
type Config struct {
	// URL is s3://bucket/prefix.
	URL string
	// PathStyle addresses the bucket by path, as S3-compatible servers need.
	PathStyle bool
	// SSE is the server-side encryption to ask for: "", AES256 or aws:kms.
	SSE string
	// KMSKeyID is the KMS key for aws:kms.
	KMSKeyID string
	// Timeout bounds each request; zero means 10 seconds.
	Timeout time.Duration
}

// Mirror is a bucket and prefix holding a copy of the log.
type Mirror struct {
	client  *s3.Client
	bucket  string
	prefix  string
	url     string
	sse     types.ServerSideEncryption
	kmsKey  string
	timeout time.Duration
}

// ParseURL splits s3://bucket/prefix.
func ParseURL(raw string) (bucket, prefix string, err error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		return "", "", fmt.Errorf("mirror %q is not s3://bucket/prefix", raw)
	}
	prefix = strings.Trim(u.Path, "/")
	if prefix != "" {
		prefix += "/"
	}
	return u.Host, prefix, nil
}

// Open returns the mirror cfg names. It does not touch the network.
func Open(ctx context.Context, cfg Config) (*Mirror, error) {
	bucket, prefix, err := ParseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	switch cfg.SSE {
	case "", string(types.ServerSideEncryptionAes256), string(types.ServerSideEncryptionAwsKms), string(types.ServerSideEncryptionAwsKmsDsse):
	default:
		return nil, fmt.Errorf("--s3-sse %q: use AES256 or aws:kms", cfg.SSE)
	}
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("mirror %s: AWS configuration: %w", cfg.URL, err)
	}
	if awsCfg.Region == "" {
		awsCfg.Region = "us-east-1"
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) { o.UsePathStyle = cfg.PathStyle })
	return &Mirror{client: client, bucket: bucket, prefix: prefix, url: "s3://" + bucket + "/" + prefix,
		sse: types.ServerSideEncryption(cfg.SSE), kmsKey: cfg.KMSKeyID, timeout: timeout}, nil
}

// String is the mirror's s3:// URL.
func (m *Mirror) String() string { return strings.TrimSuffix(m.url, "/") }

// Put writes body at key with If-None-Match: *. When the key is taken, it
// compares SHA-256 checksums: the same bytes mean an earlier try arrived
// (existed is true); other bytes are a conflict, left as they are.
func (m *Mirror) Put(ctx context.Context, key string, body []byte) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()
	sum := sha256.Sum256(body)
	checksum := base64.StdEncoding.EncodeToString(sum[:])
	in := &s3.PutObjectInput{
		Bucket: &m.bucket, Key: aws.String(m.prefix + key), Body: bytes.NewReader(body),
		IfNoneMatch: aws.String("*"), ChecksumAlgorithm: types.ChecksumAlgorithmSha256, ChecksumSHA256: &checksum,
		ContentType: aws.String(contentType(key)),
	}
	if m.sse != "" {
		in.ServerSideEncryption = m.sse
		if m.kmsKey != "" {
			in.SSEKMSKeyId = &m.kmsKey
		}
	}
	_, err := m.client.PutObject(ctx, in)
	if err == nil {
		return false, nil
	}
	if !preconditionFailed(err) {
		return false, m.explain("write "+key, err)
	}
	same, err := m.holds(ctx, key, body, checksum)
	if err != nil {
		return false, err
	}
	if !same {
		return false, fmt.Errorf("%s/%s: %w; karma does not overwrite it", m, key, audit.ErrConflict)
	}
	return true, nil
}

func contentType(key string) string {
	if strings.HasSuffix(key, ".zst") {
		return "application/zstd"
	}
	return "application/json"
}

// holds reports whether key holds body: by its stored SHA-256 checksum, or by
// its bytes where the server keeps no checksum.
func (m *Mirror) holds(ctx context.Context, key string, body []byte, checksum string) (bool, error) {
	head, err := m.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &m.bucket, Key: aws.String(m.prefix + key), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		return false, m.explain("check "+key, err)
	}
	if head.ChecksumSHA256 != nil && !strings.Contains(*head.ChecksumSHA256, "-") {
		return *head.ChecksumSHA256 == checksum, nil
	}
	stored, err := m.Get(ctx, key)
	if err != nil {
		return false, err
	}
	return bytes.Equal(stored, body), nil
}

// Get reads the object at key.
func (m *Mirror) Get(ctx context.Context, key string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()
	out, err := m.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &m.bucket, Key: aws.String(m.prefix + key)})
	if err != nil {
		return nil, m.explain("read "+key, err)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(out.Body)
	if err != nil {
		return nil, m.explain("read "+key, err)
	}
	return data, nil
}

// Check reaches the bucket, so an unreachable or refused mirror is found
// before anything depends on it.
func (m *Mirror) Check(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()
	_, err := m.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &m.bucket, Prefix: aws.String(m.prefix + "events/"), MaxKeys: aws.Int32(1)})
	return m.explain("reach", err)
}

func preconditionFailed(err error) bool {
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() == 412 {
		return true
	}
	var api smithy.APIError
	return errors.As(err, &api) && api.ErrorCode() == "PreconditionFailed"
}

// explain turns an SDK error into one line that names the mirror and says
// what to do.
func (m *Mirror) explain(what string, err error) error {
	if err == nil {
		return nil
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken", "Forbidden":
			return fmt.Errorf("mirror %s: access to bucket %s denied (%s): check the AWS credentials karma runs with", m, m.bucket, api.ErrorCode())
		case "NoSuchBucket":
			return fmt.Errorf("mirror %s: bucket %s does not exist", m, m.bucket)
		}
		return fmt.Errorf("mirror %s: %s: %s: %s", m, what, api.ErrorCode(), api.ErrorMessage())
	}
	var netErr net.Error
	var opErr *net.OpError
	if errors.As(err, &opErr) || errors.As(err, &netErr) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("mirror %s is unreachable: %w", m, rootCause(err))
	}
	return fmt.Errorf("mirror %s: %s: %w", m, what, err)
}

// rootCause drops the SDK's layers of wrapping, keeping the error a person
// can act on (connection refused, no such host, timeout).
func rootCause(err error) error {
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return opErr
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return errors.New("timed out")
	}
	return err
}
