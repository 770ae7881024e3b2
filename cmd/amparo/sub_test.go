package main

import (
	"errors"
	"slices"
	"testing"
)

// allPages gathers every item over several pages, in order, asking for
// no page past the last; a page's error is the whole list's.
func TestAllPages(t *testing.T) {
	items := make([]int, 1234)
	for i := range items {
		items[i] = i
	}
	var asked []int
	find := func(offset, limit int) ([]int, int, error) {
		asked = append(asked, offset)
		return items[offset:min(offset+limit, len(items))], len(items), nil
	}
	got, err := allPages(500, find)
	if err != nil || !slices.Equal(got, items) || !slices.Equal(asked, []int{0, 500, 1000}) {
		t.Errorf("allPages: %d items, err %v, pages asked at %v; want 1234 in order from 0, 500, 1000", len(got), err, asked)
	}
	if got, err := allPages(500, func(int, int) ([]int, int, error) { return nil, 0, nil }); err != nil || len(got) != 0 {
		t.Errorf("no items: %v %v", got, err)
	}
	boom := errors.New("the database is gone")
	if _, err := allPages(500, func(offset, limit int) ([]int, int, error) {
		if offset > 0 {
			return nil, 0, boom
		}
		return find(offset, limit)
	}); !errors.Is(err, boom) {
		t.Errorf("a page's error: %v", err)
	}
}
