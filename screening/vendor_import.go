package screening

import (
	"context"
	"io"
	"strings"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/csvimport"
)

// The columns of a vendor CSV, in any order and case; only "name" is
// required.
var vendorColumns = []string{"name", "aliases", "uei", "duns", "ein", "ca_license", "state_registration", "address"}

// ReadVendorsCSV reads a vendor CSV with the intake reader (any encoding
// and delimiter it handles). Whole-file problems return an
// ImportErrorList and no vendors; bad rows (no name, an identifier in the
// wrong format) are in the list returned beside the good vendors, by line
// and column, and unless opt.Partial the error is that list too.
func ReadVendorsCSV(r io.Reader, opt ImportOptions) ([]*amparo.Vendor, ImportErrorList, error) {
	t, err := csvimport.ReadTable(r, csvimport.Options{MaxBytes: opt.MaxBytes, MaxRows: opt.MaxRows})
	if err != nil {
		return nil, nil, fromReader(err)
	}
	cols, err := importHeader(t, vendorColumns, []string{"name"})
	if err != nil {
		return nil, nil, err
	}
	res := &ImportResult{}
	for _, e := range t.Errors {
		res.Errors = append(res.Errors, readerError(e))
	}
	var out []*amparo.Vendor
	for _, rec := range t.Records {
		row := tableRow{rec, cols, t.Header, res}
		v := &amparo.Vendor{Name: row.get("name"), Aliases: row.list("aliases"), Address: row.get("address")}
		for _, k := range amparo.RegistryIdentifierKinds {
			if s := row.get(string(k)); s != "" {
				v.Identifiers = append(v.Identifiers, amparo.RegistryIdentifier{Kind: k, Value: s})
			}
		}
		if err := v.Validate(); err != nil {
			row.failErr(err, nil)
			continue
		}
		out = append(out, v)
	}
	errs := sortErrors(res.Errors)
	if len(errs) > 0 && !opt.Partial {
		return nil, errs, errs
	}
	return out, errs, nil
}

// FileReport is a vendor file's screening: the bad rows left out (with
// ImportOptions.Partial) and one report per vendor, in file order.
type FileReport struct {
	Errors  ImportErrorList
	Reports []*Report
}

// ScreenFile reads a vendor CSV, stores its vendors in the actor's
// organization and screens them, all or nothing unless opt.Partial;
// progress, when not nil, is told how many are screened. A vendor of the
// file that is a stored vendor with an affidavit (the same UEI, EIN or
// other identifier first, else the same name) is screened against that
// affidavit, so that its contradictions with the registry are reported.
func (s *Service) ScreenFile(ctx context.Context, r io.Reader, opt ImportOptions, progress func(done, total int)) (*FileReport, error) {
	vs, errs, err := ReadVendorsCSV(r, opt)
	if err != nil {
		return nil, err
	}
	return s.screenRead(ctx, vs, errs, progress)
}

// screenRead stores the vendors read from a file and screens them.
func (s *Service) screenRead(ctx context.Context, vs []*amparo.Vendor, errs ImportErrorList, progress func(done, total int)) (*FileReport, error) {
	vs, err := s.knownVendors(ctx, vs)
	if err != nil {
		return nil, err
	}
	if err := s.Vendors.CreateVendors(ctx, vs); err != nil {
		return nil, err
	}
	declared, err := s.fileDeclarations(ctx, vs)
	if err != nil {
		return nil, err
	}
	reports, err := s.screenStored(ctx, vs, declared, progress)
	if err != nil {
		return nil, err
	}
	return &FileReport{Errors: errs, Reports: reports}, nil
}

// knownVendors puts in place of each vendor of a file the organization's
// stored vendor it is, when there is one (see vendorIndex), so that a
// file screened again is screened as the same vendors and the decisions
// made on their hits are reused; the others stay new (no ID), to be
// stored.
func (s *Service) knownVendors(ctx context.Context, vs []*amparo.Vendor) ([]*amparo.Vendor, error) {
	actor, _ := amparo.ActorFromContext(ctx)
	stored, err := s.Vendors.FindVendors(ctx, actor.OrganizationID)
	if err != nil || len(stored) == 0 {
		return vs, err
	}
	ix := newVendorIndex(stored)
	out := make([]*amparo.Vendor, len(vs))
	seen := map[string]bool{}
	for i, v := range vs {
		out[i] = v
		// A vendor twice in one file is stored once, the first time; a
		// row with an identifier the stored vendor lacks is a new record,
		// so that nothing the file says is dropped.
		if j, ok := ix.find(v); ok && !seen[stored[j].ID] && knows(stored[j], v) {
			seen[stored[j].ID] = true
			out[i] = stored[j]
		}
	}
	return out, nil
}

// fileDeclarations finds, for each vendor of a file, what the affidavit of
// the stored vendor it is declares ("" when none), through a vendorIndex,
// so that a file of thousands costs one query and no comparison of every
// pair.
func (s *Service) fileDeclarations(ctx context.Context, vs []*amparo.Vendor) ([]string, error) {
	out := make([]string, len(vs))
	if len(vs) == 0 {
		return out, nil
	}
	ds, err := s.Vendors.VendorDeclarations(ctx, vs[0].OrganizationID)
	if err != nil || len(ds) == 0 {
		return out, err
	}
	vendors := make([]*amparo.Vendor, len(ds))
	for i, d := range ds {
		vendors[i] = d.Vendor
	}
	ix := newVendorIndex(vendors)
	for i, v := range vs {
		if j, ok := ix.find(v); ok {
			out[i] = declaration(ds[j].BorderWallWork)
		}
	}
	return out, nil
}

// vendorIndex finds the stored vendor a vendor of a file is: the same
// identifier (UEI, EIN or another) first, else the same name (case and
// spacing aside) without an identifier of a kind both have that differs.
type vendorIndex struct {
	vendors []*amparo.Vendor
	byID    map[string]int
	byName  map[string]int
}

// newVendorIndex indexes vendors; find returns a position in it.
func newVendorIndex(vendors []*amparo.Vendor) *vendorIndex {
	ix := &vendorIndex{vendors: vendors, byID: make(map[string]int, len(vendors)), byName: make(map[string]int, len(vendors))}
	for i, v := range vendors {
		for _, id := range v.Identifiers {
			ix.byID[string(id.Kind)+":"+id.State+":"+id.Value] = i
		}
		ix.byName[foldName(v.Name)] = i
	}
	return ix
}

func (ix *vendorIndex) find(v *amparo.Vendor) (int, bool) {
	for _, id := range v.Identifiers {
		if i, ok := ix.byID[string(id.Kind)+":"+id.State+":"+id.Value]; ok {
			return i, true
		}
	}
	if i, ok := ix.byName[foldName(v.Name)]; ok && SameVendor(ix.vendors[i], v) && !conflicting(ix.vendors[i], v) {
		return i, true
	}
	return 0, false
}

// knows says whether every identifier of v is one of stored's.
func knows(stored, v *amparo.Vendor) bool {
	for _, id := range v.Identifiers {
		if stored.Identifier(id.Kind) != id.Value {
			return false
		}
	}
	return true
}

// conflicting says whether two vendors have different identifiers of a
// kind both have: then the same name does not make them one.
func conflicting(a, b *amparo.Vendor) bool {
	for _, id := range a.Identifiers {
		if o := b.Identifier(id.Kind); o != "" && o != id.Value {
			return true
		}
	}
	return false
}

func foldName(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }
