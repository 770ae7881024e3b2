package web_test

import (
	"os"
	"testing"

	"github.com/amparo-project/amparo/internal/browsertest"
)

// TestMain stops the browser the package's tests share.
func TestMain(m *testing.M) { os.Exit(browsertest.Main(m)) }
