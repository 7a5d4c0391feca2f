"""The BOM as a graph (DOMAIN §1): cycles, low-level codes and the level-wise walk that
explosion and where-used (in `addin.engines.bom`) are built on.

Every algorithm works on integer node ids over whole edge arrays, a frontier (one BOM
level) at a time, so a 100k-item / 400k-line BOM takes well under a second per pass:

* levels: Kahn's topological sort, one numpy step per level (`longest_path_levels`);
* cycles: what Kahn cannot level, trimmed once more from the leaf side, is all that is
  left for Tarjan's strongly connected components and a depth-first search (plain Python,
  but only over the nodes that really sit on or between loops);
* walks (explosion, where-used): one gather over the edges per level, no per-row Python.

Node ids are the ranks of the sorted item codes, so every tie is broken by code and the
results are deterministic. Effectivity and versions are ignored for levels and cycles:
an item's level must hold on every date a plan covers.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
import pandas as pd

from addin.schema import ROW

ARROW = " → "
LOOPS_PER_GROUP = 50  # enough to start fixing; a tangle of loops can hold millions


def component_lines(bom: pd.DataFrame) -> pd.DataFrame:
    """Lines that consume a component (not co/by-products), with both codes filled in."""
    keep = ((bom["line_type"] == "component") & (bom["parent_code"] != "")
            & (bom["component_code"] != ""))
    return bom[keep.to_numpy()]


def row_numbers(frame: pd.DataFrame) -> np.ndarray:
    """Excel row of every record (`_row`); a frame built in code without it counts from 2."""
    if ROW in frame:
        return frame[ROW].to_numpy(dtype="int64")
    return np.arange(len(frame), dtype="int64") + 2


@dataclass(frozen=True)
class Cycle:
    """A loop in the BOM: codes from its first item round to the line that closes it."""

    codes: tuple[str, ...]  # A, C, B for the loop A → C → B → A
    row: int  # Excel row of the closing line (B → A)
    # The loop group it is part of: all items that reach each other through BOM lines.
    group: str = ""  # its smallest code
    group_items: int = 0
    group_lines: int = 0  # parent/component pairs inside the group
    group_complete: bool = True  # False: the group has more loops than were listed

    @property
    def parent(self) -> str:
        return self.codes[-1]

    @property
    def component(self) -> str:
        return self.codes[0]

    def path(self, limit: int = 40) -> str:
        """"A → C → B → A"; a very long loop shows its ends around a count of the rest."""
        codes = [*self.codes, self.codes[0]]
        if len(codes) > limit:
            hidden = len(codes) - limit + 1
            codes = [*codes[: limit // 2], f"…({hidden})…", *codes[-(limit // 2) + 1:]]
        return ARROW.join(codes)


# ------------------------------------------------------------------- integer graphs


@dataclass(frozen=True)
class Csr:
    """Edges grouped by source: edges of node v are positions indptr[v]:indptr[v+1]."""

    indptr: np.ndarray
    target: np.ndarray
    edge: np.ndarray  # original edge index at each position


def csr(source: np.ndarray, target: np.ndarray, n: int) -> Csr:
    # Neighbours in code order, so every walk is deterministic; one int64 key sorts fastest.
    order = np.argsort(source * max(n, 1) + target, kind="stable")
    indptr = np.zeros(n + 1, dtype="int64")
    np.cumsum(np.bincount(source, minlength=n), out=indptr[1:])
    return Csr(indptr, target[order], order)


def gather(graph: Csr, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """CSR positions of all out-edges of `nodes`, and which entry of `nodes` owns each."""
    starts = graph.indptr[nodes]
    counts = graph.indptr[nodes + 1] - starts
    owner = np.repeat(np.arange(nodes.size), counts)
    first = np.cumsum(counts) - counts
    return starts[owner] + np.arange(owner.size) - first[owner], owner


def longest_path_levels(source: np.ndarray, target: np.ndarray, n: int) -> np.ndarray:
    """Length of the longest path from a node without in-edges (Kahn, a level at a time);
    -1 for nodes on a cycle or below one."""
    graph = csr(source, target, n)
    indegree = np.bincount(target, minlength=n)
    level = np.full(n, -1, dtype="int64")
    frontier = np.flatnonzero(indegree == 0)
    depth = 0
    while frontier.size:
        level[frontier] = depth
        hit = graph.target[gather(graph, frontier)[0]]
        np.subtract.at(indegree, hit, 1)
        hit = np.unique(hit)
        # A node leaves with its last parent, which has the deepest level of its parents.
        frontier = hit[indegree[hit] == 0]
        depth += 1
    return level


def cyclic_components(source: np.ndarray, target: np.ndarray, n: int,
                      levels: np.ndarray | None = None) -> np.ndarray:
    """Strong-component label of every node on a cycle (self-loops included); -1 otherwise.
    `levels`: the graph's `longest_path_levels`, when the caller has them already."""
    label = np.full(n, -1, dtype="int64")
    if levels is None:
        levels = longest_path_levels(source, target, n)
    rest = levels < 0
    inner = rest[source] & rest[target]
    core = rest & (longest_path_levels(target[inner], source[inner], n) < 0)
    if not core.any():
        return label
    nodes = np.flatnonzero(core)
    local = np.full(n, -1, dtype="int64")
    local[nodes] = np.arange(nodes.size)
    keep = core[source] & core[target]
    comp = _tarjan(local[source[keep]], local[target[keep]], nodes.size)
    same = comp[local[source[keep]]] == comp[local[target[keep]]]
    on_cycle = np.zeros(nodes.size, dtype=bool)
    on_cycle[local[source[keep][same]]] = True  # a component with an inner edge is a loop
    label[nodes[on_cycle]] = comp[on_cycle]
    return label


def _tarjan(source: np.ndarray, target: np.ndarray, n: int) -> np.ndarray:
    """Tarjan's strongly connected components, iterative (no recursion limit)."""
    graph = csr(source, target, n)
    indptr, succ = graph.indptr.tolist(), graph.target.tolist()
    index, low, comp = [-1] * n, [0] * n, [-1] * n
    on_stack = [False] * n
    stack: list[int] = []
    counter = components = 0
    for root in range(n):
        if index[root] >= 0:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        work = [[root, indptr[root]]]
        while work:
            frame = work[-1]
            v, i = frame
            if i < indptr[v + 1]:
                frame[1] = i + 1
                w = succ[i]
                if index[w] < 0:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack[w] = True
                    work.append([w, indptr[w]])
                elif on_stack[w]:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                u = work[-1][0]
                low[u] = min(low[u], low[v])
            if low[v] == index[v]:
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    comp[w] = components
                    if w == v:
                        break
                components += 1
    return np.asarray(comp, dtype="int64")


def _loops(source: np.ndarray, target: np.ndarray, n: int, label: np.ndarray, limit: int
           ) -> list[tuple[list[int], list[tuple[list[int], int]], bool]]:
    """Per loop group: its nodes, up to `limit` distinct cycles (nodes, closing edge index)
    and whether those are all that need showing. Edges must be distinct pairs.

    First a depth-first search from the group's smallest node: every edge back to a node
    on the search path closes one cycle, and removing all those edges leaves no loop. Then
    every loop edge on none of them gets the shortest cycle through it, so each line of a
    loop is shown at least once. (All cycles can be exponentially many; hence the limit.)"""
    inner = np.flatnonzero((label[source] >= 0) & (label[source] == label[target]))
    graph = csr(source[inner], target[inner], n)
    indptr, succ, edge = graph.indptr.tolist(), graph.target.tolist(), inner[graph.edge].tolist()
    pair = {(int(source[e]), int(target[e])): e for e in inner.tolist()}
    state = [0] * n  # 0 unseen, 1 on the search path, 2 finished
    groups = []
    looped = np.flatnonzero(label >= 0)
    for nodes in sorted(pd.Series(looped).groupby(label[looped]).agg(list)):
        found = _back_edge_cycles(indptr, succ, edge, nodes[0], state, limit)
        covered = {pair[step] for cycle, _ in found for step in _ring(cycle)}
        complete = len(found) < limit
        for u in nodes if complete else ():
            for v, e in zip(succ[indptr[u]:indptr[u + 1]], edge[indptr[u]:indptr[u + 1]],
                            strict=True):
                if e in covered:
                    continue
                if len(found) >= limit:
                    complete = False
                    break
                cycle = _shortest_path(indptr, succ, v, u)
                found.append((cycle, e))
                covered.update(pair[step] for step in _ring(cycle))
        groups.append((nodes, found, complete))
    return groups


def _ring(nodes: list[int]) -> list[tuple[int, int]]:
    return list(zip(nodes, [*nodes[1:], nodes[0]], strict=True))


def _back_edge_cycles(indptr: list[int], succ: list[int], edge: list[int], start: int,
                      state: list[int], limit: int) -> list[tuple[list[int], int]]:
    path, where = [start], {start: 0}
    state[start] = 1
    work = [[start, indptr[start]]]
    found: list[tuple[list[int], int]] = []
    while work and len(found) < limit:
        frame = work[-1]
        v, i = frame
        if i < indptr[v + 1]:
            frame[1] = i + 1
            w = succ[i]
            if state[w] == 1:
                found.append((path[where[w]:], edge[i]))
            elif state[w] == 0:
                state[w] = 1
                where[w] = len(path)
                path.append(w)
                work.append([w, indptr[w]])
            continue
        work.pop()
        state[v] = 2
        del where[path.pop()]
    return found


def _shortest_path(indptr: list[int], succ: list[int], start: int, goal: int) -> list[int]:
    """Breadth-first: the fewest-lines path start → goal (one exists inside a loop group)."""
    previous = {start: -1}
    queue = deque([start])
    while queue and goal not in previous:
        v = queue.popleft()
        for w in succ[indptr[v]:indptr[v + 1]]:
            if w not in previous:
                previous[w] = v
                queue.append(w)
    path = [goal]
    while previous[path[-1]] != -1:
        path.append(previous[path[-1]])
    return path[::-1]


# ---------------------------------------------------------------- the BOM as a graph


@dataclass(frozen=True)
class BomGraph:
    """BOM lines as integer edges, with what every caller needs: loops and levels."""

    codes: np.ndarray  # object array of item codes, sorted; node id = position
    parent: np.ndarray  # node id of each line's parent
    child: np.ndarray  # node id of each line's component
    label: np.ndarray  # cyclic component of each node, -1 when on no cycle
    level: np.ndarray  # longest_path_levels: -1 on or below a cycle

    @property
    def n(self) -> int:
        return self.codes.size

    @property
    def loop_line(self) -> np.ndarray:
        """Lines inside one loop group: dropping them leaves the BOM acyclic."""
        own = self.label[self.parent]
        return (own >= 0) & (own == self.label[self.child])


def bom_graph(lines: pd.DataFrame) -> BomGraph:
    """The graph of `lines` (every line kept; they should have both codes filled in)."""
    both = pd.concat([lines["parent_code"], lines["component_code"]], ignore_index=True)
    ids, uniques = pd.factorize(both.to_numpy(dtype=object))
    order = np.argsort(uniques.astype(str), kind="stable")
    rank = np.empty(order.size, dtype="int64")
    rank[order] = np.arange(order.size)
    ids = rank[ids]
    codes = np.asarray(uniques, dtype=object)[order]
    parent, child = ids[: len(lines)], ids[len(lines):]
    n = max(codes.size, 1)
    pairs = np.unique(parent * n + child)  # one edge per parent/component
    source, target = pairs // n, pairs % n
    level = longest_path_levels(source, target, codes.size)
    return BomGraph(codes, parent, child, cyclic_components(source, target, codes.size, level),
                  level)


def find_cycles(bom: pd.DataFrame, limit: int = LOOPS_PER_GROUP) -> list[Cycle]:
    """Distinct loops of component lines, each from the component of its closing line
    round to that line's parent; at most `limit` per loop group (see `_loops`)."""
    lines = component_lines(bom)
    graph = bom_graph(lines)
    if not (graph.label >= 0).any():
        return []
    # Several lines may join the same two items (versions); the first row stands for them.
    key = graph.parent * graph.n + graph.child
    first = pd.Series(row_numbers(lines)).groupby(key).min()
    pairs = first.index.to_numpy()
    source, target = pairs // graph.n, pairs % graph.n
    inner = np.bincount(source[graph.label[source] == graph.label[target]], minlength=graph.n)
    cycles = [Cycle(tuple(graph.codes[cycle]), int(first.iloc[e]), graph.codes[nodes[0]],
                    len(nodes), int(inner[nodes].sum()), complete)
              for nodes, found, complete in _loops(source, target, graph.n, graph.label, limit)
              for cycle, e in found]
    return sorted(cycles, key=lambda c: (c.codes, c.row))


def low_level_codes(items: pd.DataFrame, bom: pd.DataFrame) -> pd.DataFrame:
    """低层码 of every item: the deepest level it appears at (top = 0, in no BOM = 0).

    Items on a loop get no code (<NA>): the cycle check reports them. Each loop counts as
    one node sitting at its deepest member's place, so the items below it still get the
    levels they will have once the loop is broken.
    """
    lines = component_lines(bom)
    graph = bom_graph(lines)
    node = np.arange(graph.n)
    looped = graph.label >= 0
    level = graph.level
    if looped.any():
        # Condense every loop group onto one node (its smallest id); the rest is acyclic.
        first = pd.Series(node[looped]).groupby(graph.label[looped]).transform("min")
        node[looped] = first.to_numpy()
        keep = ~graph.loop_line
        level = longest_path_levels(node[graph.parent[keep]], node[graph.child[keep]],
                                    graph.n)[node]
    out = items.drop_duplicates("item_code")[["item_code", "item_name", "item_type"]]
    node = pd.Index(graph.codes).get_indexer(out["item_code"])
    found = node >= 0
    code = np.zeros(len(out), dtype="int64")
    code[found] = level[node[found]]
    llc = pd.array(code, dtype="Int64")
    looped = np.zeros(len(out), dtype=bool)
    looped[found] = graph.label[node[found]] >= 0
    llc[looped] = pd.NA
    out = out.assign(low_level_code=llc).reset_index(drop=True)
    return out.sort_values(["low_level_code", "item_code"], kind="stable",
                           na_position="last").reset_index(drop=True)


# ------------------------------------------------------------ explosion / where-used


@dataclass(frozen=True)
class Walk:
    """Rows of a level-wise walk; arrays of equal length, in depth-first order."""

    start: np.ndarray  # node the walk started from (root / component asked about)
    node: np.ndarray  # node reached (component / parent)
    line: np.ndarray  # the edge taken to reach it (index into the walked edge arrays)
    level: np.ndarray
    factor: np.ndarray  # accumulated usage along the path
    path: np.ndarray  # object: codes joined by ARROW, always top-down


def walk_levels(graph: Csr, starts: np.ndarray, factor: np.ndarray, codes: np.ndarray,
                downward: bool) -> Walk:
    """From every start node follow the edges a level at a time, multiplying `factor`.

    Cycle-free input is required (loop lines are dropped by the callers)."""
    root, node = np.arange(starts.size), starts
    acc = np.ones(starts.size)
    path = codes[starts]
    # One string concatenation per row: the arrow is joined to each code once, per node.
    step = (ARROW + codes) if downward else (codes + ARROW)
    owners, levels = [], []
    while node.size:
        pos, owner = gather(graph, node)
        line = graph.edge[pos]
        node = graph.target[pos]
        root, acc = root[owner], acc[owner] * factor[line]
        path = path[owner] + step[node] if downward else step[node] + path[owner]
        owners.append(owner)
        levels.append([root, node, line, acc, path])
    total = sum(level[0].size for level in levels)
    out = Walk(np.empty(total, dtype="int64"), np.empty(total, dtype="int64"),
               np.empty(total, dtype="int64"), np.empty(total, dtype="int64"),
               np.empty(total), np.empty(total, dtype=object))
    # Scatter each level straight to its depth-first place: no concatenation, no sort.
    for depth, index in enumerate(_preorder(starts.size, owners)):
        root, node, line, acc, path = levels[depth]
        levels[depth] = []  # let the level's arrays go as soon as they are placed
        index -= root + 1  # positions count the start nodes, which are not rows
        out.start[index], out.node[index], out.line[index] = starts[root], node, line
        out.level[index], out.factor[index], out.path[index] = depth + 1, acc, path
    return out


def _preorder(n_starts: int, owners: list[np.ndarray]) -> list[np.ndarray]:
    """Depth-first position of every row (start nodes counted), a level at a time: a row
    comes right after its owner and after the whole subtrees of its earlier siblings."""
    sizes = [np.ones(n_starts, dtype="int64")] + [np.ones(o.size, dtype="int64") for o in owners]
    for k in range(len(owners), 0, -1):
        sizes[k - 1] += np.bincount(owners[k - 1], weights=sizes[k],
                                    minlength=sizes[k - 1].size).astype("int64")
    position = np.cumsum(sizes[0]) - sizes[0]
    out = []
    for k, owner in enumerate(owners, start=1):
        before = np.cumsum(sizes[k]) - sizes[k]
        first = np.searchsorted(owner, owner)  # owners are ascending: group starts
        position = position[owner] + 1 + before - before[first]
        out.append(position)
    return out
