package sqldb_test

import (
	"strings"
	"testing"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/sqldb"
)

func TestPolicyService(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		admin := as(amparo.RoleProgramAdmin, "")
		p, err := db.CurrentPolicy(admin)
		if err != nil || p.Version != 0 || !strings.Contains(p.Text, "tps_holder and facing_removal") {
			t.Fatalf("default policy: %+v %v", p, err)
		}
		bad := strings.Replace(p.Text, "when detained", "when detainee", 1)
		_, err = db.SetPolicy(admin, bad, "", "typo")
		wantCode(t, err, amparo.EINVALID)
		if !strings.Contains(err.Error(), "line ") || !strings.Contains(err.Error(), "detainee") {
			t.Fatalf("error does not say where: %v", err)
		}
		_, err = db.SetPolicy(admin, p.Text, "", " ")
		wantCode(t, err, amparo.EINVALID)
		_, err = db.SetPolicy(as(amparo.RoleOrgAdmin, "x"), p.Text, "", "why")
		wantCode(t, err, amparo.EFORBIDDEN)
		if cur, _ := db.CurrentPolicy(admin); cur.Version != 0 {
			t.Fatal("a refused policy was stored")
		}
		_, err = db.SetPolicy(admin, p.Text, "tps XX \"Nowhere\" ends 2026-13-01 source \"x\"\n", "bad table")
		wantCode(t, err, amparo.EINVALID)
		if amparo.ErrorField(err) != "tps" {
			t.Fatalf("field %q: %v", amparo.ErrorField(err), err)
		}
		v, err := db.SetPolicy(admin, p.Text+"\n# reviewed\n", "", "yearly review")
		if err != nil || v.Version < 1 {
			t.Fatalf("set: %+v %v", v, err)
		}
		if cur, _ := db.CurrentPolicy(admin); cur.Version != v.Version || cur.Reason != "yearly review" || cur.TPS != p.TPS {
			t.Fatalf("current %+v", cur)
		}
		if h, _ := db.PolicyHistory(admin); len(h) != 1 || h[0].Author == "" || h[0].Reason != "yearly review" {
			t.Fatalf("history %+v", h)
		}
	})
}
