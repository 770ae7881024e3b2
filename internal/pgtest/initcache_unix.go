//go:build unix

package pgtest

import (
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// A new cluster's data folder is a copy of one initdb made once per
// machine, user and PostgreSQL build, kept in the user's cache folder:
// initdb (bootstrapping the catalogs in single-user mode) took a second of
// CPU and several of wall time per test binary, copying its 40 MB a tenth
// of that. The cached folder is written whole under a temporary name and
// renamed, so a copy is never taken from a half-written one; any failure
// falls back to running initdb.

// initArgs are initdb's arguments after -D DIR; they are part of the
// cache's key.
var initArgs = []string{"-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"}

// initCacheDir returns the cached data folder for the binaries in bin, or
// "" without a cache folder.
func initCacheDir(bin string) string {
	cache, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	h := sha256.New()
	fmt.Fprintln(h, bin, strings.Join(initArgs, " "))
	for _, name := range []string{"initdb", "postgres"} {
		if fi, err := os.Stat(filepath.Join(bin, name)); err == nil {
			fmt.Fprintln(h, name, fi.Size(), fi.ModTime().UnixNano())
		}
	}
	return filepath.Join(cache, "amparo-pgtest", fmt.Sprintf("initdb-%x", h.Sum(nil)[:8]))
}

// copyTree copies the folder src to dst (which must not exist), keeping
// modes, and hands every file to cred when it is set.
func copyTree(src, dst string, cred credential) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if err := os.Mkdir(target, info.Mode().Perm()); err != nil {
				return err
			}
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			if err := os.Symlink(link, target); err != nil {
				return err
			}
		case d.Type().IsRegular():
			if err := copyFile(path, target, info.Mode().Perm()); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%s: not a file or folder", path)
		}
		if cred != nil {
			return os.Lchown(target, int(cred.Uid), int(cred.Gid))
		}
		return nil
	})
}

func copyFile(src, dst string, perm fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// fromInitCache fills dataDir from the cached initdb, reporting whether it
// did.
func fromInitCache(bin, dataDir string, cred credential) bool {
	cached := initCacheDir(bin)
	if cached == "" {
		return false
	}
	if _, err := os.Stat(filepath.Join(cached, "PG_VERSION")); err != nil {
		return false
	}
	if err := copyTree(cached, dataDir, cred); err != nil {
		_ = os.RemoveAll(dataDir)
		return false
	}
	return true
}

// toInitCache keeps a copy of the freshly made dataDir, best effort.
func toInitCache(bin, dataDir string) {
	cached := initCacheDir(bin)
	if cached == "" {
		return
	}
	if _, err := os.Stat(cached); err == nil {
		return
	}
	if err := os.MkdirAll(filepath.Dir(cached), 0o700); err != nil {
		return
	}
	tmp, err := os.MkdirTemp(filepath.Dir(cached), "tmp-")
	if err != nil {
		return
	}
	defer os.RemoveAll(tmp)
	if err := copyTree(dataDir, filepath.Join(tmp, "data"), nil); err != nil {
		return
	}
	_ = os.Rename(filepath.Join(tmp, "data"), cached) // another process may have won
}
