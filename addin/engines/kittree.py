"""Buildable sets of one product over its multi-level BOM (DOMAIN §5), on whole arrays.

A product's *tree* is every item its BOM reaches, in an order where each parent comes
before its components (ascending low-level code), with a dense usage matrix between them.

Exploding n sets against an availability vector is MRP netting level by level: the gross
requirement of an item is summed over **all** its parents in the tree before its own
availability is netted, so a component shared by two sub-assemblies (or by a
sub-assembly and the product itself) is counted once, not once per parent; the net
requirement of a sub-assembly passes down to its components ("its stock + what its own
components can build"). n sets can be built when no leaf (an item without component
lines) is left with a net requirement. That is monotone in n, so the largest buildable
n is found by searching many candidate n at once: each explosion is a (candidates ×
items) matrix product per level.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from addin.engines.bomgraph import Csr, gather

CANDIDATES = 64  # n values tried per search round (one matrix row each)
_REL_TOL = 1e-9  # 42 ÷ (4 × 1.05) is 9.999999999999998 in binary floating point


@dataclass(frozen=True)
class Tree:
    items: np.ndarray        # global item positions; items[0] is the product
    usage: np.ndarray        # (m × m) usage per one parent, incl. variable loss
    levels: tuple[slice, ...]  # local positions of each low-level code, top first
    leaf: np.ndarray         # bool per local item: has no component lines
    # per level: usage from its items to the items below it (None: all leaves)
    below: tuple[np.ndarray | None, ...] = ()


def product_tree(graph: Csr, usage: np.ndarray, llc: np.ndarray, product: int) -> Tree:
    """The tree of `product` (graph: parent → component CSR; usage per CSR edge index)."""
    seen = np.zeros(llc.size, dtype=bool)
    seen[product] = True
    frontier = np.array([product])
    while frontier.size:
        hit = graph.target[gather(graph, frontier)[0]]
        hit = np.unique(hit[~seen[hit]])
        seen[hit] = True
        frontier = hit
    reached = np.flatnonzero(seen)
    reached = reached[np.lexsort((reached, llc[reached]))]
    local = np.full(llc.size, -1)
    local[reached] = np.arange(reached.size)
    positions, owner = gather(graph, reached)
    parent, child = local[reached[owner]], local[graph.target[positions]]
    matrix = np.zeros((reached.size, reached.size))
    np.add.at(matrix, (parent, child), usage[graph.edge[positions]])
    bounds = np.flatnonzero(np.diff(llc[reached])) + 1
    edges = np.concatenate([[0], bounds, [reached.size]])
    levels = tuple(slice(int(a), int(b)) for a, b in pairwise(edges))
    leaf = np.bincount(parent, minlength=reached.size) == 0
    below = tuple(matrix[level, level.stop:] if not leaf[level].all() else None
                  for level in levels)
    return Tree(reached, matrix, levels, leaf, below)


def explode(tree: Tree, available: np.ndarray, sets: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """Gross and net requirement (candidates × items) of each number of `sets`."""
    gross = np.zeros((sets.size, tree.items.size))
    gross[:, 0] = sets
    net = np.zeros_like(gross)
    for level, below in zip(tree.levels, tree.below, strict=True):
        net[:, level] = np.maximum(gross[:, level] - available[level], 0.0)
        if below is not None:  # components always sit on lower levels (higher codes)
            gross[:, level.stop:] += net[:, level] @ below
    return gross, net


def short(tree: Tree, available: np.ndarray, net: np.ndarray) -> np.ndarray:
    """Net requirement left on the leaves (candidates × items), tolerance removed."""
    tol = _REL_TOL * np.maximum(available, 1.0)
    return np.where(tree.leaf & (net > tol), net, 0.0)


@dataclass(frozen=True)
class Search:
    sets: float              # the largest buildable number of sets (≤ cap)
    consumed: np.ndarray     # per local item: what building them takes
    failing: np.ndarray      # leaf shortage at the first number that cannot be built
    need: np.ndarray | None = None   # gross requirement of `cap` sets (when cap is given)
    left: np.ndarray | None = None   # leaf shortage of `cap` sets


def max_sets(tree: Tree, available: np.ndarray, cap: float | None) -> Search:
    """The largest n ≤ cap that can be built (whole sets, or cap itself when it can)."""
    lo_row = np.zeros(tree.items.size)
    need = full_left = None
    if cap is not None:
        gross, net = explode(tree, available, np.array([cap]))
        left = short(tree, available, net)
        need, full_left = gross[0], left[0]
        if not left.any():
            return Search(float(cap), (gross - net)[0], left[0] * 0.0, need, full_left)
        lo, hi, hi_row = 0.0, float(np.ceil(cap) if cap % 1 else cap), left[0]
    else:  # doubling: 1, 2, 4, … up to 2^52 sets
        trial = 2.0 ** np.arange(53)
        gross, net = explode(tree, available, trial)
        bad = short(tree, available, net).any(axis=1)
        first = int(np.argmax(bad)) if bad.any() else trial.size - 1
        hi, hi_row = trial[first], short(tree, available, net)[first]
        lo = trial[first - 1] if first else 0.0
        if first:
            lo_row = (gross - net)[first - 1]
    while hi - lo > 1:
        trial = np.unique(np.round(np.linspace(lo, hi, CANDIDATES + 2)[1:-1]))
        trial = trial[(trial > lo) & (trial < hi)]
        gross, net = explode(tree, available, trial)
        left = short(tree, available, net)
        bad = left.any(axis=1)
        if bad.any():
            first = int(np.argmax(bad))
            hi, hi_row = trial[first], left[first]
        else:
            first = trial.size
        if first:
            lo, lo_row = trial[first - 1], (gross - net)[first - 1]
    return Search(float(lo), lo_row, hi_row, need, full_left)


def bottleneck(tree: Tree, failing: np.ndarray, codes: np.ndarray) -> str:
    """The leaf with the largest shortage at the first n that cannot be built (ties: the
    smaller code); "" when nothing fails."""
    if not failing.any():
        return ""
    where = np.flatnonzero(failing > 0)
    names = codes[tree.items[where]]
    order = np.lexsort((names, -failing[where]))
    return str(names[order[0]])
