// Command deb builds notifyd's Debian package (make deb) for -arch into -o.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/notifyd/notifyd/tools/release/deb"
	"github.com/notifyd/notifyd/tools/release/gobuild"
)

func main() {
	out := flag.String("o", "dist", "folder to write notifyd_VERSION_ARCH.deb into")
	arch := flag.String("arch", "amd64", "amd64 or arm64")
	version := flag.String("version", "0.0.0", "package version (semver)")
	flag.Parse()
	if err := run(*out, *arch, *version); err != nil {
		fmt.Fprintln(os.Stderr, "deb:", err)
		os.Exit(1)
	}
}

func run(out, arch, version string) error {
	wd, _ := os.Getwd()
	root, err := gobuild.Root(wd)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "notifyd-deb-bin-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bins := map[string]string{}
	for _, n := range gobuild.Commands {
		if bins[n], err = gobuild.Build(context.Background(), root, tmp, "linux", arch, n); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	path := filepath.Join(out, fmt.Sprintf("notifyd_%s_%s.deb", version, arch))
	if err := deb.Write(path, deb.Options{Root: root, Binaries: bins, Arch: arch, Version: version}); err != nil {
		return err
	}
	fmt.Println("wrote", path)
	return nil
}
