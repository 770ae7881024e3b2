package sqldb_test

import (
	"fmt"
	"testing"

	"github.com/amparo-project/amparo"
)

// benchRegistry is a fictional registry of n entities with 5 names each
// and one involvement each.
func benchRegistry(n int) *amparo.RegistryChange {
	c := &amparo.RegistryChange{Reason: "benchmark", Replace: true}
	for i := range n {
		id := fmt.Sprintf("example-%05d", i)
		e := testEntity(id, fmt.Sprintf("Example Builders %d LLC", i), amparo.RegistryIdentifier{Kind: amparo.RegistryUEI, Value: fmt.Sprintf("EXMPL%07d", i)})
		for j := range 4 {
			e.Names = append(e.Names, amparo.RegistryName{Kind: amparo.RegistryNameAlias, Name: fmt.Sprintf("Example %d Alias %d", i, j)})
		}
		c.PutEntities = append(c.PutEntities, e)
		c.PutInvolvements = append(c.PutInvolvements, testInvolvement("inv-"+id, id, amparo.RegistryPrime, "2019-05-01"))
	}
	return c
}

// BenchmarkRegistry: applying a registry of 2,000 entities with 5 names
// each, and reading it back whole (what a screening run loads once).
func BenchmarkRegistry(b *testing.B) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			db := MustOpenDB(b, dialect)
			admin := as(amparo.RoleProgramAdmin, "")
			c := benchRegistry(2000)
			b.Run("Apply2000", func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					c.Reason = fmt.Sprint("benchmark ", i)
					c.PutEntities[0].Names[0].Name = fmt.Sprint("Example Builders 0 LLC, version ", i) // a change each time
					if _, err := db.ApplyRegistryChange(admin, c); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("RegistryAt", func(b *testing.B) {
				for b.Loop() {
					r, err := db.RegistryAt(admin, 0)
					if err != nil || len(r.Entities) != 2000 {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
