//go:build !faultinject

package fault

// Hit does nothing: this build has no fault switch (see the package comment).
func Hit(string) {}
