package disclosure

import "testing"

// TestProtect_PropertyBlocks runs the property tests with every group of
// unknowns audited block by block (blocks.go), as a council release checked
// against the previous one is: linked tables each a block, the shared
// totals moved by extreme points and imposed on the other blocks. The
// independent oracle must still recover nothing.
func TestProtect_PropertyBlocks(t *testing.T) {
	defer func(n int) { blockAbove = n }(blockAbove)
	blockAbove = 0
	t.Run("release", TestProtect_Property)
	t.Run("sequence", TestProtect_PropertySequence)
	t.Run("chain", TestProtect_PropertyChain)
}
