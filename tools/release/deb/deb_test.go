package deb_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/notifyd/notifyd/tools/release/deb"
	"github.com/notifyd/notifyd/tools/release/gobuild"
)

// The package installs with dpkg: the binaries run, the unit is where systemd looks,
// hardened as documented, and verifies (systemd-analyze, where present); /etc/default is a
// conffile. Purging it leaves nothing behind. Needs root and dpkg: skipped outside CI
// without them, a failure under CI.
func TestDebInstalls(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds notifyd")
	}
	if _, err := exec.LookPath("dpkg"); err != nil || os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI: installing the package needs dpkg and root (dpkg: %v, uid %d)", err, os.Geteuid())
		}
		t.Skip("no dpkg or not root")
	}
	if out, err := exec.Command("dpkg-query", "-W", "-f=${Status}", "notifyd").CombinedOutput(); err == nil && strings.Contains(string(out), "installed") {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI: a notifyd package is installed on this machine already; the test installs and purges its own and will not touch it")
		}
		t.Skip("a notifyd package is installed on this machine already; not touching it")
	}
	ctx := context.Background()
	wd, _ := os.Getwd()
	root, err := gobuild.Root(wd)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bins := map[string]string{}
	for _, n := range gobuild.Commands {
		if bins[n], err = gobuild.Build(ctx, root, dir, "linux", runtime.GOARCH, n); err != nil {
			t.Fatal(err)
		}
	}
	pkg := filepath.Join(dir, "notifyd.deb")
	if err := deb.Write(pkg, deb.Options{Root: root, Binaries: bins, Arch: runtime.GOARCH, Version: "1.2.3"}); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("dpkg-deb", "--info", pkg).CombinedOutput(); err != nil || !strings.Contains(string(out), "Package: notifyd") || !strings.Contains(string(out), "Version: 1.2.3") {
		t.Fatalf("dpkg-deb --info: %v\n%s", err, out)
	}

	t.Cleanup(func() {
		if out, err := exec.Command("dpkg", "-P", "notifyd").CombinedOutput(); err != nil {
			t.Errorf("dpkg -P notifyd: %v\n%s", err, out)
		}
		for _, f := range []string{"/usr/bin/notifyd", "/usr/bin/notifyctl", deb.UnitPath, "/etc/default/notifyd"} {
			if _, err := os.Stat(f); err == nil {
				t.Errorf("%s is left after purging the package", f)
			}
		}
	})
	if out, err := exec.Command("dpkg", "-i", pkg).CombinedOutput(); err != nil {
		t.Fatalf("dpkg -i: %v\n%s", err, out)
	}
	if out, err := exec.Command("/usr/bin/notifyd", "-h").CombinedOutput(); !strings.Contains(string(out), "NOTIFY_RETENTION") {
		t.Errorf("/usr/bin/notifyd -h: %v\n%s", err, out)
	}
	if out, err := exec.Command("/usr/bin/notifyctl", "help").CombinedOutput(); !strings.Contains(string(out), "backup") {
		t.Errorf("/usr/bin/notifyctl help: %v\n%s", err, out)
	}
	unit, err := os.ReadFile(deb.UnitPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"DynamicUser=yes", "ProtectSystem=strict", "StateDirectory=notifyd", "NoNewPrivileges=yes", "ExecStart=/usr/bin/notifyd", "EnvironmentFile=-/etc/default/notifyd"} {
		if !strings.Contains(string(unit), "\n"+want+"\n") {
			t.Errorf("the unit lacks %s", want)
		}
	}
	if conf, err := exec.Command("dpkg-query", "-W", "-f=${Conffiles}", "notifyd").CombinedOutput(); err != nil || !strings.Contains(string(conf), "/etc/default/notifyd") {
		t.Errorf("/etc/default/notifyd is not a conffile: %v %s", err, conf)
	}
	if sa, err := exec.LookPath("systemd-analyze"); err == nil {
		out, err := exec.Command(sa, "verify", deb.UnitPath).CombinedOutput()
		if err != nil {
			t.Errorf("systemd-analyze verify: %v\n%s", err, out)
		}
	}
}
