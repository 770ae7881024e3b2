package testenv

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// MountTmpfs mounts a tmpfs of size bytes, owned by the user named owner
// (or the test's, for ""), and unmounts it when the test ends; it calls
// Missing where mounting is not allowed (it needs root). The folder is a
// temporary one of its own, which another user (a database server's) can
// reach: a test's temporary folder sits in one only its owner can enter.
func MountTmpfs(tb testing.TB, size int, owner string) string {
	tb.Helper()
	opts := fmt.Sprintf("size=%d,mode=0700", size)
	if owner != "" {
		u, err := user.Lookup(owner)
		if err != nil {
			Missing(tb, "no "+owner+" user to own the tmpfs: "+err.Error())
		}
		opts += ",uid=" + u.Uid + ",gid=" + u.Gid
	}
	dir, err := os.MkdirTemp("", "amparo-tmpfs-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.Remove(dir) })
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", opts, "amparo-tmpfs", dir).CombinedOutput(); err != nil {
		Missing(tb, fmt.Sprintf("cannot mount a small tmpfs to fill (needs root): %v %s", err, strings.TrimSpace(string(out))))
	}
	tb.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			tb.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	return dir
}

// Fill writes a file in dir until the filesystem refuses a byte more, and
// returns its path: removing it frees the space again.
func Fill(tb testing.TB, dir string) string {
	tb.Helper()
	p := filepath.Join(dir, "filler")
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	for _, chunk := range []int{1 << 16, 512, 1} {
		b := make([]byte, chunk)
		for {
			if _, err := f.Write(b); err != nil {
				if !errors.Is(err, syscall.ENOSPC) {
					tb.Fatal(err)
				}
				break
			}
		}
	}
	return p
}
