"""Merkle tree hashing and proofs for the tamper-evident access log.

This follows RFC 9162 §2.1 (Certificate Transparency 2.0, the same tree as RFC 6962): SHA-256 with
domain-separated leaf and node hashes, tree heads (MTH), inclusion proofs and consistency proofs,
generated either from the full list of leaf hashes or from stored perfect-subtree hashes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "StreamingRoot",
    "consistency_proof",
    "consistency_proof_from_nodes",
    "inclusion_proof",
    "inclusion_proof_from_nodes",
    "leaf_hash",
    "node_hash",
    "root_from_leaf_hashes",
    "subtree_hash",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
EMPTY_ROOT: bytes = hashlib.sha256(b"").digest()

# node(level, i): hash of the perfect subtree over leaves [i * 2**level, (i + 1) * 2**level).
NodeLookup = Callable[[int, int], bytes]


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (n >= 2): MTH's split point."""
    return 1 << ((n - 1).bit_length() - 1)


def _fold(hashes: list[bytes]) -> bytes:
    # Pairing level by level, with an odd last node carried up unchanged, builds exactly the tree
    # of §2.1.1 (left subtree = largest power of two), without recursion and in O(n) hashes.
    level = hashes
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def root_from_leaf_hashes(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of a list of leaf hashes (§2.1.1); EMPTY_ROOT for no leaves."""
    if len(leaf_hashes) == 0:
        return EMPTY_ROOT
    return _fold(list(leaf_hashes))


def subtree_hash(leaf_hashes: Sequence[bytes], start: int, end: int) -> bytes:
    """MTH of ``leaf_hashes[start:end]``."""
    if not 0 <= start <= end <= len(leaf_hashes):
        raise ValueError(f"invalid range [{start}, {end}) for {len(leaf_hashes)} leaves")
    if start == end:
        return EMPTY_ROOT
    return _fold([leaf_hashes[i] for i in range(start, end)])


class StreamingRoot:
    """Tree head of a growing log, fed one leaf hash at a time in O(log n) memory.

    Keeps the hashes of the perfect subtrees that make up the tree so far (one per set bit of the
    size, largest first), so ``root()`` is available at any size without keeping the leaves.
    """

    def __init__(self) -> None:
        self._size = 0
        self._peaks: list[bytes] = []

    @property
    def size(self) -> int:
        return self._size

    def add(self, leaf_hash: bytes) -> None:
        self._peaks.append(leaf_hash)
        # Each trailing one bit of the old size is a perfect subtree of the same height as the
        # one just completed: merge them, exactly like a binary carry.
        carry = self._size
        while carry & 1:
            right = self._peaks.pop()
            self._peaks[-1] = node_hash(self._peaks[-1], right)
            carry >>= 1
        self._size += 1

    def root(self) -> bytes:
        if not self._peaks:
            return EMPTY_ROOT
        result = self._peaks[-1]
        for peak in reversed(self._peaks[:-1]):
            result = node_hash(peak, result)
        return result


def _inclusion_path(index: int, size: int, subtree: Callable[[int, int], bytes]) -> list[bytes]:
    # PATH(m, D[n]) of §2.1.3.1 unrolled top-down; siblings are collected root-first, then
    # reversed so the proof runs from the leaf upwards as the RFC orders it.
    path: list[bytes] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            path.append(subtree(lo + k, hi))
            hi = lo + k
        else:
            path.append(subtree(lo, lo + k))
            lo += k
    path.reverse()
    return path


def _consistency_path(size1: int, size2: int, subtree: Callable[[int, int], bytes]) -> list[bytes]:
    # SUBPROOF(m, D[n], b) of §2.1.4.1 unrolled top-down; ``complete`` is the flag b, true while
    # the old tree is still a left prefix whose own root the verifier already knows.
    proof: list[bytes] = []
    lo, hi, complete = 0, size2, True
    while size1 != hi:
        k = _split(hi - lo)
        if size1 <= lo + k:
            proof.append(subtree(lo + k, hi))
            hi = lo + k
        else:
            proof.append(subtree(lo, lo + k))
            lo += k
            complete = False
    if not complete:
        proof.append(subtree(lo, hi))
    proof.reverse()
    return proof


def _check_inclusion_args(index: int, tree_size: int) -> None:
    if not 0 <= index < tree_size:
        raise ValueError(f"leaf index {index} is outside a tree of size {tree_size}")


def _check_consistency_args(size1: int, size2: int) -> None:
    if not 0 < size1 <= size2:
        raise ValueError(f"no consistency proof from size {size1} to size {size2}")


def inclusion_proof(index: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """Audit path for leaf ``index`` in the tree over ``leaf_hashes`` (§2.1.3.1)."""
    _check_inclusion_args(index, len(leaf_hashes))
    return _inclusion_path(
        index, len(leaf_hashes), lambda start, end: subtree_hash(leaf_hashes, start, end)
    )


def consistency_proof(size1: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """Proof that the first ``size1`` leaves are a prefix of ``leaf_hashes`` (§2.1.4.1).

    Requires 0 < size1 <= len(leaf_hashes); equal sizes give the empty proof.
    """
    _check_consistency_args(size1, len(leaf_hashes))
    return _consistency_path(
        size1, len(leaf_hashes), lambda start, end: subtree_hash(leaf_hashes, start, end)
    )


def _aligned_range_hash(node: NodeLookup, start: int, end: int) -> bytes:
    """Hash of the subtree over [start, end) from perfect-subtree hashes.

    Only valid for ranges that are subtrees of the tree (``start`` a multiple of the smallest
    power of two >= end - start), which is all the proof algorithms ever ask for.
    """
    peaks: list[bytes] = []
    position, remaining = start, end - start
    while remaining:
        level = remaining.bit_length() - 1
        peaks.append(node(level, position >> level))
        position += 1 << level
        remaining -= 1 << level
    result = peaks[-1]
    for peak in reversed(peaks[:-1]):
        result = node_hash(peak, result)
    return result


def inclusion_proof_from_nodes(index: int, tree_size: int, node: NodeLookup) -> list[bytes]:
    """``inclusion_proof`` from stored perfect-subtree hashes, in O(log n) ``node`` lookups."""
    _check_inclusion_args(index, tree_size)
    return _inclusion_path(
        index, tree_size, lambda start, end: _aligned_range_hash(node, start, end)
    )


def consistency_proof_from_nodes(size1: int, size2: int, node: NodeLookup) -> list[bytes]:
    """``consistency_proof`` from stored perfect-subtree hashes, in O(log n) ``node`` lookups."""
    _check_consistency_args(size1, size2)
    return _consistency_path(size1, size2, lambda start, end: _aligned_range_hash(node, start, end))


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes) and len(value) == HASH_SIZE


def _is_size(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def verify_inclusion(
    index: int, tree_size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> bool:
    """Check that leaf hash ``leaf`` sits at ``index`` in the tree of ``tree_size`` with ``root``.

    §2.1.3.2, step by step. Any malformed input is a failed verification, never an exception.
    """
    if not (_is_size(index) and _is_size(tree_size)) or index >= tree_size:
        return False
    # A hash of the wrong length could shift bytes between the two halves of a node_hash input
    # and still produce the expected digest, so only whole SHA-256 values are accepted.
    if not _is_hash(leaf) or not all(_is_hash(p) for p in proof):
        return False
    fn, sn = index, tree_size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> bool:
    """Check that the tree of ``size2`` with ``root2`` extends the tree of ``size1`` with ``root1``.

    §2.1.4.2, step by step, for 0 < size1 < size2; equal sizes need an empty proof and equal
    roots. A size1 of 0 is refused: the empty tree's hash is no prefix of anything, so there is
    nothing to prove (as the transparency-dev vectors expect). Never raises.
    """
    if not (_is_size(size1) and _is_size(size2)) or size1 == 0 or size1 > size2:
        return False
    if size1 == size2:
        return len(proof) == 0 and root1 == root2
    if len(proof) == 0 or not all(_is_hash(h) for h in (root1, root2, *proof)):
        return False
    path = list(proof)
    if size1 & (size1 - 1) == 0:
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == root1 and sr == root2 and sn == 0
