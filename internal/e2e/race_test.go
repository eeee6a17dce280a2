//go:build race

package e2e

// raceEnabled: under go test -race the notifyd subprocesses are built with -race too,
// and a data race they report fails the test.
const raceEnabled = true
