// Package safefile writes files that appear whole or not at all: the
// bytes go to a temporary file beside the target, readable by its owner
// alone while written, synced to disk, then linked into place, which
// fails rather than overwrite an existing file.
package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteNew writes data to path, which must not exist yet, with mode perm.
// It never overwrites a file and never leaves half of one: on a full disk
// or any other failure, path does not exist afterwards and the temporary
// file is removed.
func WriteNew(path string, data []byte, perm os.FileMode) error {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("cannot write %s: it exists (an existing file is never overwritten)", path)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("cannot write %s: %v", path, unwrap(err))
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), perm)
	}
	if err != nil {
		return fmt.Errorf("cannot write %s: %v", path, unwrap(err))
	}
	// A hard link, unlike a rename, fails if path appeared meanwhile.
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("cannot write %s: it exists (an existing file is never overwritten)", path)
		}
		return fmt.Errorf("cannot write %s: %v", path, unwrap(err))
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync() // the new name survives a crash; best effort where unsupported
		d.Close()
	}
	return nil
}

func unwrap(err error) error {
	if u := errors.Unwrap(err); u != nil {
		return u
	}
	return err
}
