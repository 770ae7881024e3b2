package envelope_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amparo-project/amparo/envelope"
)

func mustKeyring(t *testing.T) *envelope.Keyring {
	t.Helper()
	k, err := envelope.New(envelope.GenerateMasterKey())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestDataKey_RoundTrip(t *testing.T) {
	k := mustKeyring(t)
	dk, wrapped, err := k.NewDataKey("client-1")
	if err != nil {
		t.Fatal(err)
	}
	sealed := dk.Seal([]byte("Ana Ejemplo"), []byte("client-1"))
	if bytes.Contains(sealed, []byte("Ana")) {
		t.Fatal("sealed value holds the plaintext")
	}
	dk2, err := k.OpenDataKey("client-1", wrapped)
	if err != nil {
		t.Fatal(err)
	}
	got, err := dk2.Open(sealed, []byte("client-1"))
	if err != nil || string(got) != "Ana Ejemplo" {
		t.Fatalf("Open = %q, %v", got, err)
	}
}

func TestDataKey_Refuses(t *testing.T) {
	k := mustKeyring(t)
	dk, wrapped, _ := k.NewDataKey("client-1")
	sealed := dk.Seal([]byte("secret"), []byte("client-1"))

	t.Run("WrongMasterKey", func(t *testing.T) {
		if _, err := mustKeyring(t).OpenDataKey("client-1", wrapped); !errors.Is(err, envelope.ErrDecrypt) {
			t.Fatalf("err = %v, want ErrDecrypt", err)
		}
	})
	t.Run("KeyMovedToAnotherRecord", func(t *testing.T) {
		if _, err := k.OpenDataKey("client-2", wrapped); !errors.Is(err, envelope.ErrDecrypt) {
			t.Fatalf("err = %v, want ErrDecrypt", err)
		}
	})
	t.Run("WrongAAD", func(t *testing.T) {
		if _, err := dk.Open(sealed, []byte("client-2")); !errors.Is(err, envelope.ErrDecrypt) {
			t.Fatalf("err = %v, want ErrDecrypt", err)
		}
	})
	t.Run("EveryByteFlipped", func(t *testing.T) {
		for i := range sealed {
			c := bytes.Clone(sealed)
			c[i] ^= 0x01
			if _, err := dk.Open(c, []byte("client-1")); err == nil {
				t.Fatalf("byte %d changed and still opened", i)
			}
		}
	})
	t.Run("Truncated", func(t *testing.T) {
		for n := range len(sealed) {
			if _, err := dk.Open(sealed[:n], []byte("client-1")); err == nil {
				t.Fatalf("truncated to %d bytes and still opened", n)
			}
		}
	})
}

func TestNew_WrongSize(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33, 64} {
		_, err := envelope.New(make([]byte, n))
		if err == nil || !strings.Contains(err.Error(), "exactly 32") {
			t.Errorf("New(%d bytes) err = %v, want a size error", n, err)
		}
	}
}

func TestTokens(t *testing.T) {
	k := mustKeyring(t)
	a := k.Tokens("name", []string{"jose", "perez", "nunez", "jose"})
	b := k.Tokens("name", []string{"jose", "perez", "nunez"})
	if len(a) != 3 || len(b) != 3 {
		t.Fatalf("got %d and %d tokens, want 3 each (a repeated word gives one)", len(a), len(b))
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			t.Fatalf("token %d differs", i)
		}
	}
	if got := k.Tokens("name", []string{"", ""}); len(got) != 0 {
		t.Fatalf("empty words give %d tokens", len(got))
	}
	jose := []string{"jose"}
	if bytes.Equal(k.Tokens("name", jose)[0], mustKeyring(t).Tokens("name", jose)[0]) {
		t.Fatal("tokens do not depend on the master key")
	}
	if bytes.Equal(k.Tokens("name", jose)[0], k.Tokens("other", jose)[0]) {
		t.Fatal("tokens do not depend on the field")
	}
}

func TestKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "master.key")
	key := envelope.GenerateMasterKey()
	if err := envelope.WriteKeyFile(path, key); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode = %v, want 0600", fi.Mode().Perm())
	}
	if err := envelope.WriteKeyFile(path, envelope.GenerateMasterKey()); err == nil {
		t.Fatal("WriteKeyFile overwrote an existing key")
	}
	got, err := envelope.ReadKeyFile(path)
	if err != nil || !bytes.Equal(got, key) {
		t.Fatalf("ReadKeyFile = %x, %v", got, err)
	}
	os.WriteFile(path, []byte(envelope.EncodeKey(key[:16])), 0o600)
	if _, err := envelope.ReadKeyFile(path); err == nil || !strings.Contains(err.Error(), "16 bytes") {
		t.Fatalf("short key err = %v", err)
	}
}

func TestMAC(t *testing.T) {
	k := mustKeyring(t)
	a := k.MAC("pin", []byte("123456"))
	if !bytes.Equal(a, k.MAC("pin", []byte("123456"))) || len(a) != 32 {
		t.Fatal("MAC is not deterministic")
	}
	for _, other := range [][]byte{k.MAC("pin", []byte("123457")), k.MAC("cookie", []byte("123456")), mustKeyring(t).MAC("pin", []byte("123456"))} {
		if bytes.Equal(a, other) {
			t.Fatal("MAC does not depend on data, purpose and key")
		}
	}
}
