// Package deb builds notifyd's Debian package with nfpm: the binaries, a hardened
// systemd unit (deploy/debian/notifyd.service) and /etc/default/notifyd.
package deb

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/goreleaser/nfpm/v2"
	_ "github.com/goreleaser/nfpm/v2/deb" // registers the deb packager
	"github.com/goreleaser/nfpm/v2/files"
)

// UnitPath is where the package puts the unit.
const UnitPath = "/usr/lib/systemd/system/notifyd.service"

// Options describe one package.
type Options struct {
	Root     string            // the repository (deploy/debian is read from it)
	Binaries map[string]string // name in /usr/bin -> file built for Arch
	Arch     string            // GOARCH: amd64 or arm64 (Debian names them alike)
	Version  string            // semver; a leading v is dropped
}

// maintainerScripts: systemd learns of the unit at install and forgets it at removal;
// notifyd is not started by the package (its settings come first). Both are skipped
// where systemd is not running (a container, a chroot).
const postInstall = `#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
echo "notifyd installed: edit /etc/default/notifyd, then: systemctl enable --now notifyd"
`

const preRemove = `#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then systemctl stop notifyd.service || true; systemctl disable notifyd.service || true; fi
`

const postRemove = `#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
`

// Write builds the package into path.
func Write(path string, o Options) error {
	tmp, err := os.MkdirTemp("", "notifyd-deb-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	scripts := map[string]string{"postinst": postInstall, "prerm": preRemove, "postrm": postRemove}
	for n, body := range scripts {
		if err := os.WriteFile(filepath.Join(tmp, n), []byte(body), 0o755); err != nil {
			return err
		}
	}
	contents := files.Contents{
		{Source: filepath.Join(o.Root, "deploy/debian/notifyd.service"), Destination: UnitPath, FileInfo: &files.ContentFileInfo{Mode: 0o644}},
		{Source: filepath.Join(o.Root, "deploy/debian/notifyd.default"), Destination: "/etc/default/notifyd", Type: files.TypeConfigNoReplace, FileInfo: &files.ContentFileInfo{Mode: 0o640}},
		{Source: filepath.Join(o.Root, "docs/deploy.md"), Destination: "/usr/share/doc/notifyd/deploy.md", FileInfo: &files.ContentFileInfo{Mode: 0o644}},
	}
	for _, n := range []string{"notifyd", "notifyctl"} {
		src, ok := o.Binaries[n]
		if !ok {
			return fmt.Errorf("no %s binary", n)
		}
		contents = append(contents, &files.Content{Source: src, Destination: "/usr/bin/" + n, FileInfo: &files.ContentFileInfo{Mode: 0o755}})
	}
	info := nfpm.WithDefaults(&nfpm.Info{
		Name: "notifyd", Arch: o.Arch, Platform: "linux", Version: o.Version,
		Section: "net", Priority: "optional", Maintainer: "notifyd maintainers <notifyd@users.noreply.github.com>",
		Description: "notification service: events in over HTTP and SQS, out over SSE, SMS, email and web push",
		Homepage:    "https://github.com/notifyd/notifyd", License: "MIT", MTime: time.Unix(0, 0).UTC(),
		Overridables: nfpm.Overridables{Contents: contents, Scripts: nfpm.Scripts{
			PostInstall: filepath.Join(tmp, "postinst"), PreRemove: filepath.Join(tmp, "prerm"), PostRemove: filepath.Join(tmp, "postrm")}},
	})
	if err := nfpm.PrepareForPackager(info, "deb"); err != nil {
		return err
	}
	pkg, err := nfpm.Get("deb")
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pkg.Package(info, f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
