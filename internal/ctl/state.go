package ctl

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// tailState is where the last tail of one user on one server stopped, so the next one
// resumes after it.
type tailState struct {
	Server  string `json:"server"`
	User    string `json:"user"`
	LastSeq int64  `json:"lastSeq"`
}

// stateFile names the position file of (server, who): who is the user, or a hash of
// the jwt token.
func stateFile(dir, server, who string) string {
	sum := sha256.Sum256([]byte(server + "\x00" + who))
	return filepath.Join(dir, "tail-"+hex.EncodeToString(sum[:8])+".json")
}

// loadState returns the saved position; ok is false when there is none.
func loadState(path string) (seq int64, ok bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("tail position: %w", err)
	}
	var st tailState
	if err := json.Unmarshal(b, &st); err != nil || st.LastSeq < 0 {
		return 0, false, nil // a damaged file: start at the newest
	}
	return st.LastSeq, true, nil
}

// saveState writes the position atomically (a crash leaves the old or the new one).
func saveState(path string, st tailState) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("tail position: %w", err)
	}
	b, _ := json.Marshal(st)
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tail-*")
	if err != nil {
		return fmt.Errorf("tail position: %w", err)
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if werr != nil || cerr != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("tail position: %w", errors.Join(werr, cerr))
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("tail position: %w", err)
	}
	return nil
}
