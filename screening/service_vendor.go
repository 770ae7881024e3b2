package screening

import (
	"context"
	"slices"

	"github.com/amparo-project/amparo"
)

// EditVendor replaces a stored vendor's names, address and identifiers of
// the kinds an edit form shows with v's (v.ID names the vendor); its
// identifiers of other kinds are kept as they are. It returns the vendor
// as it was, for a form shown again, also with an error of the update
// (EINVALID naming the field). ENOTFOUND, also for another
// organization's, with no vendor.
func (s *Service) EditVendor(ctx context.Context, v *amparo.Vendor, kinds []amparo.RegistryIdentifierKind) (*amparo.Vendor, error) {
	old, err := s.Vendors.FindVendorByID(ctx, v.ID)
	if err != nil {
		return nil, err
	}
	nv := *v
	nv.Identifiers = slices.DeleteFunc(slices.Clone(v.Identifiers), func(id amparo.RegistryIdentifier) bool { return !slices.Contains(kinds, id.Kind) })
	for _, id := range old.Identifiers {
		if !slices.Contains(kinds, id.Kind) {
			nv.Identifiers = append(nv.Identifiers, id)
		}
	}
	if err := s.Vendors.UpdateVendor(ctx, &nv); err != nil {
		return old, err
	}
	*v = nv
	return old, nil
}
