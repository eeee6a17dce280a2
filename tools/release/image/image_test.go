package image_test

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/notifyd/notifyd/tools/release/gobuild"
	"github.com/notifyd/notifyd/tools/release/image"
)

// The image built for this machine's architecture, written and read back as a tarball:
// its config runs notifyd as the non-root user with no shell; its one layer unpacks into
// a root where the notifyd binary serves /healthz against SQLite in the data folder, and
// with the image's own settings (every address, dev auth) refuses to start.
func TestImage(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds notifyd")
	}
	ctx := context.Background()
	wd, _ := os.Getwd()
	root, err := gobuild.Root(wd)
	if err != nil {
		t.Fatal(err)
	}
	bins := map[string]string{}
	for _, n := range gobuild.Commands {
		if bins[n], err = gobuild.Build(ctx, root, t.TempDir(), "linux", runtime.GOARCH, n); err != nil {
			t.Fatal(err)
		}
	}
	tarPath := filepath.Join(t.TempDir(), "notifyd-image.tar")
	if err := image.Write(tarPath, image.Options{Binaries: bins, CACerts: "/etc/ssl/certs/ca-certificates.crt", Arch: runtime.GOARCH,
		Version: "1.2.3", Revision: "abc123", Source: "https://github.com/notifyd/notifyd", Tag: "notifyd:1.2.3"}); err != nil {
		t.Fatal(err)
	}

	img, err := tarball.ImageFromPath(tarPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	c := cf.Config
	if c.User != "65532:65532" {
		t.Errorf("user %q, want 65532:65532 (non-root)", c.User)
	}
	if strings.Join(c.Entrypoint, " ") != "/usr/local/bin/notifyd" || len(c.Cmd) != 0 {
		t.Errorf("entrypoint %q cmd %q, want the binary alone (no shell form)", c.Entrypoint, c.Cmd)
	}
	if cf.OS != "linux" || cf.Architecture != runtime.GOARCH {
		t.Errorf("platform %s/%s", cf.OS, cf.Architecture)
	}
	for k, v := range map[string]string{"org.opencontainers.image.version": "1.2.3", "org.opencontainers.image.source": "https://github.com/notifyd/notifyd", "org.opencontainers.image.revision": "abc123"} {
		if c.Labels[k] != v {
			t.Errorf("label %s = %q, want %q", k, c.Labels[k], v)
		}
	}
	// No check of the manifest's media type: the tarball is in `docker save` form (what
	// docker load, podman load and crane push take), whose reader makes up a Docker v2
	// manifest whatever the image was built with.

	// Unpack the layers into a root folder, as a runtime would.
	rootfs := t.TempDir()
	owners := map[string]int{}
	tr := tar.NewReader(mutate.Extract(img))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		owners[strings.TrimSuffix(h.Name, "/")] = h.Uid
		p := filepath.Join(rootfs, h.Name)
		switch h.Typeflag {
		case tar.TypeDir:
			os.MkdirAll(p, 0o755)
		case tar.TypeReg:
			b, _ := io.ReadAll(tr)
			if err := os.WriteFile(p, b, os.FileMode(h.Mode)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, f := range []string{"usr/local/bin/notifyd", "usr/local/bin/notifyctl", "etc/ssl/certs/ca-certificates.crt", "etc/passwd"} {
		if _, err := os.Stat(filepath.Join(rootfs, f)); err != nil {
			t.Errorf("image lacks /%s", f)
		}
	}
	for _, sh := range []string{"bin/sh", "bin/bash", "bin/busybox"} {
		if _, err := os.Stat(filepath.Join(rootfs, sh)); err == nil {
			t.Errorf("image has /%s; nothing should need a shell", sh)
		}
	}
	if owners["var/lib/notifyd"] != image.UID {
		t.Errorf("/var/lib/notifyd owned by %d, want %d so the non-root user can write the database", owners["var/lib/notifyd"], image.UID)
	}
	if passwd, _ := os.ReadFile(filepath.Join(rootfs, "etc/passwd")); !strings.Contains(string(passwd), ":65532:65532:") {
		t.Errorf("/etc/passwd names no user 65532:\n%s", passwd)
	}

	// The image's settings as they are: every address with dev auth is refused.
	env := append([]string{"HOME=" + t.TempDir()}, c.Env...)
	refuse := exec.Command(filepath.Join(rootfs, "usr/local/bin/notifyd"))
	refuse.Env = append(env, "NOTIFY_HTTP_ADDR=0.0.0.0:0", "NOTIFY_DATABASE_URL=sqlite:"+filepath.Join(t.TempDir(), "n.db"))
	out, err := refuse.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "dev auth trusts the X-User-Id header") {
		t.Errorf("dev auth on every address: %v\n%s\nwant a refusal", err, out)
	}

	// On loopback, with the database in the image's data folder of the unpacked root.
	port := freePort(t)
	cmd := exec.Command(filepath.Join(rootfs, "usr/local/bin/notifyd"))
	cmd.Env = append(env, "NOTIFY_HTTP_ADDR=127.0.0.1:"+port, "NOTIFY_DATABASE_URL=sqlite:"+filepath.Join(rootfs, image.DataDir, "notify.db"))
	var logs strings.Builder
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		<-exited
	}()
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-exited:
			t.Fatalf("notifyd exited: %v\n%s", cmd.ProcessState, logs.String())
		default:
		}
		resp, err := http.Get("http://127.0.0.1:" + port + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("/healthz = %d", resp.StatusCode)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz never answered: %v\n%s", err, logs.String())
		}
		time.Sleep(50 * time.Millisecond) // polling a port the child opens: no event to wait on
	}
	if _, err := os.Stat(filepath.Join(rootfs, image.DataDir, "notify.db")); err != nil {
		t.Errorf("no database in the data folder: %v", err)
	}
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}
