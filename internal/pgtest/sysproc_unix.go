//go:build unix && !linux

package pgtest

import "syscall"

// serverAttr puts postgres in its own process group, running as cred. There
// is no parent-death signal here: see the package documentation.
func serverAttr(cred credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred, Setpgid: true}
}
