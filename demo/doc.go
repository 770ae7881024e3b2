// Package demo makes a realistic and clearly fictional program: partner
// organizations, members, clients in English and Spanish and letters in
// every status. Every person in it is invented; the surnames say so
// (Ejemplo, Prueba, Ficticio, Sample, Example) and every phone number is in
// the 555-01xx range kept for fiction.
//
// It depends only on package amparo's service interfaces: it must never
// import a database or HTTP package.
package demo
