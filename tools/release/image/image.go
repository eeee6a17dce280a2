// Package image builds notifyd's container image without a container engine: an empty
// base, one layer with the static binaries, CA certificates and the account files of a
// non-root user, written as a tarball that docker load, podman load or crane push take.
package image

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// UID is the image's user: the conventional "nonroot" id of distroless images.
const UID = 65532

// DataDir is where the image keeps its SQLite database: mount a volume here.
const DataDir = "/var/lib/notifyd"

// Options describe one image.
type Options struct {
	Binaries map[string]string // name in /usr/local/bin -> file built for Arch
	CACerts  string            // a PEM bundle, e.g. /etc/ssl/certs/ca-certificates.crt
	Arch     string            // GOARCH
	Version  string
	Source   string    // repository URL (org.opencontainers.image.source)
	Revision string    // commit
	Created  time.Time // zero: the Unix epoch, so the same inputs give the same image
	Tag      string    // e.g. notifyd:0.9.0
}

// Env is the image's environment: the settings that make it serve out of the box in a
// container (every other setting keeps notifyd's default).
var Env = []string{
	"NOTIFY_HTTP_ADDR=0.0.0.0:8080",
	"NOTIFY_DATABASE_URL=sqlite:" + DataDir + "/notify.db",
	"NOTIFY_LOG_FORMAT=json",
}

// Build assembles the image.
func Build(o Options) (v1.Image, error) {
	layerTar, err := rootfs(o)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(layerTar)), nil },
		tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, err
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	if img, err = mutate.Append(img, mutate.Addendum{Layer: layer, History: v1.History{CreatedBy: "notifyd tools/release image", Created: v1.Time{Time: o.Created}}}); err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Created = "linux", o.Arch, v1.Time{Time: o.Created}
	cf.Config = v1.Config{
		User:         fmt.Sprintf("%d:%d", UID, UID),
		Entrypoint:   []string{"/usr/local/bin/notifyd"},
		Env:          Env,
		WorkingDir:   DataDir,
		ExposedPorts: map[string]struct{}{"8080/tcp": {}},
		Volumes:      map[string]struct{}{DataDir: {}},
		StopSignal:   "SIGTERM",
		Labels: map[string]string{
			"org.opencontainers.image.title":       "notifyd",
			"org.opencontainers.image.description": "notification service: events in over HTTP and SQS, out over SSE, SMS, email and web push",
			"org.opencontainers.image.version":     o.Version,
			"org.opencontainers.image.source":      o.Source,
			"org.opencontainers.image.revision":    o.Revision,
			"org.opencontainers.image.licenses":    "MIT",
		},
	}
	return mutate.ConfigFile(img, cf)
}

// Write builds the image and writes it to path as a tarball.
func Write(path string, o Options) error {
	img, err := Build(o)
	if err != nil {
		return err
	}
	tag, err := name.NewTag(o.Tag)
	if err != nil {
		return fmt.Errorf("image tag %q: %w", o.Tag, err)
	}
	return tarball.WriteToFile(path, tag, img)
}

// rootfs is the layer: the binaries, the CA bundle, /etc/passwd and /etc/group naming the
// non-root user, its data folder and /tmp. No shell: nothing in the image needs one.
func rootfs(o Options) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dir := func(p string, mode int64, uid int) error {
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: p + "/", Mode: mode, Uid: uid, Gid: uid, ModTime: o.Created})
	}
	file := func(p string, mode int64, b []byte) error {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: p, Mode: mode, Size: int64(len(b)), ModTime: o.Created}); err != nil {
			return err
		}
		_, err := tw.Write(b)
		return err
	}
	for _, d := range []string{"etc", "etc/ssl", "etc/ssl/certs", "usr", "usr/local", "usr/local/bin", "var", "var/lib"} {
		if err := dir(d, 0o755, 0); err != nil {
			return nil, err
		}
	}
	if err := dir("tmp", 0o1777, 0); err != nil {
		return nil, err
	}
	if err := dir(DataDir[1:], 0o700, UID); err != nil {
		return nil, err
	}
	passwd := fmt.Sprintf("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:%d:%d:nonroot:%s:/sbin/nologin\n", UID, UID, DataDir)
	group := fmt.Sprintf("root:x:0:\nnonroot:x:%d:\n", UID)
	if err := file("etc/passwd", 0o644, []byte(passwd)); err != nil {
		return nil, err
	}
	if err := file("etc/group", 0o644, []byte(group)); err != nil {
		return nil, err
	}
	certs, err := os.ReadFile(o.CACerts)
	if err != nil {
		return nil, fmt.Errorf("CA certificates: %w", err)
	}
	if err := file("etc/ssl/certs/ca-certificates.crt", 0o644, certs); err != nil {
		return nil, err
	}
	for _, n := range []string{"notifyd", "notifyctl"} {
		src, ok := o.Binaries[n]
		if !ok {
			return nil, fmt.Errorf("no %s binary", n)
		}
		b, err := os.ReadFile(src)
		if err != nil {
			return nil, err
		}
		if err := file("usr/local/bin/"+n, 0o755, b); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
