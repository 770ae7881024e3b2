package matching

import (
	"container/heap"
	"math"
)

// graph is a min-cost-flow network in adjacency arrays. Edge i and i^1 are
// each other's reverse.
type graph struct {
	head []int32 // first edge of each node, -1 when none
	next []int32
	to   []int32
	cap  []int64
	cost []int64
}

func newGraph(n int) *graph {
	g := &graph{head: make([]int32, n)}
	for i := range g.head {
		g.head[i] = -1
	}
	return g
}

// addEdge adds u->v and returns the edge's index; its flow is cap of the
// reverse edge.
func (g *graph) addEdge(u, v int, capacity, cost int64) int {
	e := len(g.to)
	g.to = append(g.to, int32(v), int32(u))
	g.cap = append(g.cap, capacity, 0)
	g.cost = append(g.cost, cost, -cost)
	g.next = append(g.next, g.head[u], g.head[v])
	g.head[u], g.head[v] = int32(e), int32(e+1)
	return e
}

func (g *graph) flow(e int) int64 { return g.cap[e^1] }

const inf = math.MaxInt64 / 4

// minCostFlow sends flow from s to t while a path of negative cost remains,
// so the total cost is the least possible over all flows (with negative
// costs for what is worth serving, that is the most valuable flow). Nodes
// must be numbered so that every edge goes from a lower to a higher number:
// the first potentials then come from one pass in that order.
//
// It is the primal-dual method: Dijkstra on reduced costs finds the
// shortest-path distance, then a blocking flow (as in Dinic's algorithm)
// saturates every shortest path at that distance before the next Dijkstra.
func minCostFlow(g *graph, s, t int) {
	n := len(g.head)
	pot := make([]int64, n)
	for i := range pot {
		pot[i] = inf
	}
	pot[s] = 0
	for u := 0; u < n; u++ {
		if pot[u] == inf {
			continue
		}
		for e := g.head[u]; e >= 0; e = g.next[e] {
			if g.cap[e] > 0 && pot[u]+g.cost[e] < pot[g.to[e]] {
				pot[g.to[e]] = pot[u] + g.cost[e]
			}
		}
	}
	for i := range pot {
		if pot[i] == inf {
			pot[i] = 0 // never reached: its edges are never used
		}
	}
	dist := make([]int64, n)
	level := make([]int32, n)
	iter := make([]int32, n)
	queue := make([]int32, 0, n)
	h := &nodeHeap{}
	for {
		// Dijkstra on reduced costs.
		for i := range dist {
			dist[i] = inf
		}
		dist[s] = 0
		h.items = h.items[:0]
		heap.Push(h, item{s, 0})
		for h.Len() > 0 {
			it := heap.Pop(h).(item)
			u := it.node
			if it.d > dist[u] {
				continue
			}
			for e := g.head[u]; e >= 0; e = g.next[e] {
				if g.cap[e] == 0 {
					continue
				}
				v := g.to[e]
				nd := dist[u] + g.cost[e] + pot[u] - pot[v]
				if nd < dist[v] {
					dist[v] = nd
					heap.Push(h, item{int(v), nd})
				}
			}
		}
		if dist[t] == inf {
			return
		}
		d := dist[t]
		for i := range pot {
			pot[i] += min(dist[i], d)
		}
		if pot[t]-pot[s] >= 0 {
			return // the cheapest way to serve one more costs more than it is worth
		}
		// Blocking flows along edges of zero reduced cost.
		for {
			for i := range level {
				level[i] = -1
			}
			level[s] = 0
			queue = append(queue[:0], int32(s))
			for q := 0; q < len(queue); q++ {
				u := queue[q]
				for e := g.head[u]; e >= 0; e = g.next[e] {
					v := g.to[e]
					if g.cap[e] > 0 && level[v] < 0 && g.cost[e]+pot[u]-pot[v] == 0 {
						level[v] = level[u] + 1
						queue = append(queue, v)
					}
				}
			}
			if level[t] < 0 {
				break
			}
			copy(iter, g.head)
			for g.push(s, t, inf, level, iter, pot) > 0 {
			}
		}
	}
}

// push sends up to f units from u to t along admissible edges.
func (g *graph) push(u, t int, f int64, level, iter []int32, pot []int64) int64 {
	if u == t {
		return f
	}
	for ; iter[u] >= 0; iter[u] = g.next[iter[u]] {
		e := iter[u]
		v := int(g.to[e])
		if g.cap[e] == 0 || level[v] != level[u]+1 || g.cost[e]+pot[u]-pot[v] != 0 {
			continue
		}
		if got := g.push(v, t, min(f, g.cap[e]), level, iter, pot); got > 0 {
			g.cap[e] -= got
			g.cap[e^1] += got
			return got
		}
	}
	return 0
}

type item struct {
	node int
	d    int64
}

type nodeHeap struct{ items []item }

func (h *nodeHeap) Len() int           { return len(h.items) }
func (h *nodeHeap) Less(i, j int) bool { return h.items[i].d < h.items[j].d }
func (h *nodeHeap) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *nodeHeap) Push(x any)         { h.items = append(h.items, x.(item)) }
func (h *nodeHeap) Pop() any {
	x := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return x
}
