package web_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/notifyd/notifyd/internal/testenv"
)

// browser is a headless Chromium tab for one test, closed when the test ends.
type browser struct {
	t    *testing.T
	ctx  context.Context
	mu   sync.Mutex
	errs []string // JavaScript exceptions, console errors, CSP violations
}

func chromiumPath() (string, error) {
	if p := os.Getenv("NOTIFY_CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err != nil {
		return "", fmt.Errorf("no chromium on PATH or at /usr/bin/chromium (apt-get install chromium)")
	}
	return "/usr/bin/chromium", nil
}

func newBrowser(t *testing.T, timeout time.Duration) *browser {
	t.Helper()
	path, err := chromiumPath()
	testenv.Require(t, "chromium", err)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(960, 720),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "ko-KR"),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tab, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})
	// The first call starts the browser; it must not carry the test's timeout.
	if err := chromedp.Do(tab); err != nil {
		testenv.Require(t, "chromium", fmt.Errorf("start %s: %w", path, err))
	}
	ctx, cancelTimeout := context.WithTimeout(tab, timeout)
	t.Cleanup(cancelTimeout)
	b := &browser{t: t, ctx: ctx}

	console := chromedp.Console(tab)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range console {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				b.mu.Lock()
				b.errs = append(b.errs, m.String()+" "+m.URL)
				b.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() { cancelTab(); <-done })
	return b
}

// run performs the steps; on failure it saves a screenshot and stops the test.
func (b *browser) run(step string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.fail("%s: %v", step, err)
	}
}

// get runs one action that returns a value, failing like run.
func get[T any](b *browser, step string, a chromedp.Action[T]) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, a)
	if err != nil {
		b.fail("%s: %v", step, err)
	}
	return v
}

// eventually polls cond (something outside the page, such as the store) until it holds,
// failing like run after 10 s. The page updates optimistically, before the server has
// answered, so what the page shows is not yet what the server has.
func (b *browser) eventually(what string, cond func() bool) {
	b.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			b.fail("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (b *browser) fail(format string, args ...any) {
	b.t.Helper()
	msg := fmt.Sprintf(format, args...)
	if path := b.screenshot("failure"); path != "" {
		msg += "\nscreenshot: " + path
	}
	b.mu.Lock()
	if len(b.errs) > 0 {
		msg += "\npage errors:\n  " + strings.Join(b.errs, "\n  ")
	}
	b.mu.Unlock()
	b.t.Fatal(msg)
}

// screenshot saves the page to $NOTIFY_SCREENSHOT_DIR (or the test's temp dir).
func (b *browser) screenshot(name string) string {
	dir := os.Getenv("NOTIFY_SCREENSHOT_DIR")
	if dir == "" {
		dir = b.t.TempDir()
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(b.ctx), 5*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Logf("screenshot: %v", err)
		return ""
	}
	path := filepath.Join(dir, strings.ReplaceAll(b.t.Name(), "/", "_")+"-"+name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Logf("screenshot: %v", err)
		return ""
	}
	return path
}

func (b *browser) pageErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errs...)
}

// openedTabs lists the URLs of the browser's pages (tabs the page opened included).
func (b *browser) openedTabs() []string {
	res, err := chromedp.CallBrowser(b.ctx, target.GetTargets, target.GetTargetsParams{})
	if err != nil {
		b.t.Logf("Target.getTargets: %v", err)
		return nil
	}
	var out []string
	for _, ti := range res.TargetInfos {
		if ti.Type == "page" {
			out = append(out, ti.URL)
		}
	}
	return out
}
