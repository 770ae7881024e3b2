//go:build !unix

package pgtest

import (
	"fmt"
	"runtime"
)

type credential = *struct{}

// Start always fails here: pgtest supports Unix systems only.
func Start() (*Cluster, error) {
	return nil, fmt.Errorf("%w: pgtest does not support %s", ErrUnavailable, runtime.GOOS)
}

// Stop does nothing.
func (c *Cluster) Stop() error { return nil }
