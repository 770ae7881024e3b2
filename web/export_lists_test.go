package web

import "github.com/amparo-project/amparo"

// LetterSeen is a letter's state as its confirmation pages post it.
func LetterSeen(l *amparo.Letter) string { return letterSeen(l) }

// ClientSeen is a client's state as its delete confirmation posts it.
func ClientSeen(c *amparo.Client) string { return clientSeen(c) }
