// Package document renders a letter of representation as PDF: the letter
// itself (US Letter; English for the officer, then a part in each of the
// client's languages) and the wallet card (ID-1, front and back, alone
// with crop marks or ten to a US Letter sheet). The encoders write to an
// io.Writer. Every string a person reads comes from the locale catalogs,
// and the DejaVu fonts are embedded, so every accent renders and extracts.
//
// It is pure: it must never import a database or HTTP package. Callers
// load the letter and pass what it prints.
package document
