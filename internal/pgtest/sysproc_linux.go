package pgtest

import "syscall"

// serverAttr puts postgres in its own process group, running as cred, and
// has Linux send it SIGQUIT (immediate shutdown) when its parent dies.
func serverAttr(cred credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred, Setpgid: true, Pdeathsig: syscall.SIGQUIT}
}
