package testenv

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// S3 is a Versity S3 Gateway serving a temporary directory on 127.0.0.1,
// started for one test and stopped after it.
type S3 struct {
	t         testing.TB
	bin       string
	dir       string
	Addr      string
	AccessKey string
	SecretKey string
	cmd       *exec.Cmd
}

// VersityGW returns the gateway binary built by make into bin/. Without it
// the test is skipped with the reason, or fails under CI=true.
func VersityGW(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(RepoRoot(), "bin", "versitygw")
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing, and CI=true makes that a failure: run make test, which builds it", bin)
		}
		t.Skipf("SKIPPED: %s is missing (make test builds it); these tests run a real S3 server", bin)
	}
	return bin
}

// StartS3 starts a gateway on a free port and stops it when the test ends.
func StartS3(t testing.TB) *S3 {
	t.Helper()
	s := &S3{t: t, bin: VersityGW(t), dir: t.TempDir(), Addr: freeAddr(t), AccessKey: "karmatestkey", SecretKey: "karmatestsecret"}
	s.Start()
	t.Cleanup(s.Stop)
	return s
}

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Start starts the gateway, again after Stop, on the same address and data.
func (s *S3) Start() {
	s.t.Helper()
	if s.cmd != nil {
		return
	}
	cmd := exec.Command(s.bin, "--port", s.Addr, "posix", s.dir)
	cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+s.AccessKey, "ROOT_SECRET_KEY="+s.SecretKey)
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("start versitygw: %v", err)
	}
	s.cmd = cmd
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.Addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("versitygw did not listen on %s: %v", s.Addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop stops the gateway; the data stays for Start.
func (s *S3) Stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

// Endpoint is the gateway's URL.
func (s *S3) Endpoint() string { return "http://" + s.Addr }

// Env is the environment that points the AWS SDK, and karma, at the gateway.
func (s *S3) Env() []string {
	return []string{"AWS_ACCESS_KEY_ID=" + s.AccessKey, "AWS_SECRET_ACCESS_KEY=" + s.SecretKey, "AWS_REGION=us-east-1",
		"AWS_ENDPOINT_URL_S3=" + s.Endpoint(), "KARMA_S3_PATH_STYLE=true", "AWS_EC2_METADATA_DISABLED=true"}
}

// Client is an S3 client for the gateway, for the tests' own checks.
func (s *S3) Client() *s3.Client {
	return s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(s.Endpoint()), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
	})
}

// Bucket creates a bucket and returns its name.
func (s *S3) Bucket(name string) string {
	s.t.Helper()
	if _, err := s.Client().CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: &name}); err != nil {
		s.t.Fatalf("create bucket %s: %v", name, err)
	}
	return name
}

// Objects returns every object under prefix in bucket, by key.
func (s *S3) Objects(bucket, prefix string) map[string][]byte {
	s.t.Helper()
	ctx := context.Background()
	out := map[string][]byte{}
	pages := s3.NewListObjectsV2Paginator(s.Client(), &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			s.t.Fatalf("list %s/%s: %v", bucket, prefix, err)
		}
		for _, o := range page.Contents {
			obj, err := s.Client().GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: o.Key})
			if err != nil {
				s.t.Fatalf("get %s: %v", *o.Key, err)
			}
			data := make([]byte, 0, aws.ToInt64(o.Size))
			buf := make([]byte, 32<<10)
			for {
				n, err := obj.Body.Read(buf)
				data = append(data, buf[:n]...)
				if err != nil {
					break
				}
			}
			obj.Body.Close()
			out[*o.Key] = data
		}
	}
	return out
}

// URL is the s3:// URL of a prefix in a bucket.
func (s *S3) URL(bucket, prefix string) string {
	return fmt.Sprintf("s3://%s/%s", bucket, prefix)
}
