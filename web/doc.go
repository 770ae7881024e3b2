// Package web serves Amparo's pages: server-rendered html/template, in the
// reader's language, working without JavaScript. Handlers depend on the
// service interfaces of package amparo, never on a database.
//
// It must never import a database package: the store is wired in by main.
package web
