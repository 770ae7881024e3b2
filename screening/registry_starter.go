package screening

import (
	"bytes"
	_ "embed"

	"github.com/amparo-project/amparo"
)

// starterRegistry is the registry Amparo ships: data/registry.csv, in the
// registry layout. See data/README.md.
//
//go:embed data/registry.csv
var starterRegistry []byte

// StarterRegistryReason is the reason recorded with the version the
// starter registry makes: it says where the data comes from.
const StarterRegistryReason = "Starter registry shipped with Amparo, compiled from press reports and government releases " +
	"(each record names its source and retrieval date); verify every entry against award records before relying on it."

// StarterRegistry returns the starter registry as a change set that
// replaces the registry in force: the 2017 CBP wall prototype builders and
// CBP/USACE border-barrier awards of 2018–2020 as reported in public
// sources. It is compiled from press reports: every entry must be verified
// against award records (USAspending.gov, FPDS) before a decision rests on
// it.
func StarterRegistry() *amparo.RegistryChange {
	res, err := ImportRegistryCSV(bytes.NewReader(starterRegistry), ImportOptions{Reason: StarterRegistryReason})
	if err != nil {
		panic("screening: the embedded data/registry.csv does not import: " + err.Error()) // a build defect, caught by its test
	}
	return res.Change
}
