// Command image builds notifyd's OCI image as a tarball without a container engine
// (make image): static binaries for -arch on an empty base, non-root.
//
//	go run ./cmd/image -o ../../dist/notifyd-image.tar -version 0.9.0
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/notifyd/notifyd/tools/release/gobuild"
	"github.com/notifyd/notifyd/tools/release/image"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "image:", err)
		os.Exit(1)
	}
}

func run() error {
	out := flag.String("o", "dist/notifyd-image.tar", "the tarball to write")
	arch := flag.String("arch", "amd64", "GOARCH of the image: amd64 or arm64")
	version := flag.String("version", "dev", "the image's version (label and tag)")
	revision := flag.String("revision", "", "the commit (label)")
	source := flag.String("source", "https://github.com/notifyd/notifyd", "the source repository (label)")
	certs := flag.String("ca-certs", "/etc/ssl/certs/ca-certificates.crt", "CA bundle copied into the image (Debian's ca-certificates)")
	flag.Parse()

	wd, _ := os.Getwd()
	root, err := gobuild.Root(wd)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "notifyd-image-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bins := map[string]string{}
	for _, n := range gobuild.Commands {
		if bins[n], err = gobuild.Build(context.Background(), root, tmp, "linux", *arch, n); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		return err
	}
	err = image.Write(*out, image.Options{Binaries: bins, CACerts: *certs, Arch: *arch, Version: *version, Revision: *revision,
		Source: *source, Created: time.Unix(0, 0).UTC(), Tag: "notifyd:" + *version})
	if err != nil {
		return err
	}
	st, _ := os.Stat(*out)
	fmt.Printf("wrote %s (%d bytes, linux/%s, notifyd:%s)\n", *out, st.Size(), *arch, *version)
	return nil
}
