"""The access log's Merkle tree (RFC 9162 §2.1), checked against the transparency-dev vectors."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from loket.audit.merkle import (
    EMPTY_ROOT,
    StreamingRoot,
    consistency_proof,
    consistency_proof_from_nodes,
    inclusion_proof,
    inclusion_proof_from_nodes,
    leaf_hash,
    node_hash,
    root_from_leaf_hashes,
    subtree_hash,
    verify_consistency,
    verify_inclusion,
)

VECTORS = Path(__file__).parent / "data" / "rfc9162-vectors"

# The RFC 6962 reference tree behind the vectors, and its published roots for sizes 1..8
# (transparency-dev/merkle, proof/verify_test.go).
REFERENCE_LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
REFERENCE_ROOTS = [
    bytes.fromhex(h)
    for h in [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]
]
REFERENCE_HASHES = [leaf_hash(leaf) for leaf in REFERENCE_LEAVES]

MAX_GENERATED = 70
MAX_NODE_CONSISTENCY = 40
EXHAUSTIVE_BIT_FLIPS_UP_TO = 12


def vector_files(kind: str) -> list[Path]:
    return sorted((VECTORS / kind).rglob("*.json"))


def vector_id(path: Path) -> str:
    return path.relative_to(VECTORS).as_posix()


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def b64(value: str | None) -> bytes:
    return base64.b64decode(value) if value else b""


def b64_list(values: list[str] | None) -> list[bytes]:
    return [b64(value) for value in values or []]


def happy_paths(kind: str) -> list[dict[str, Any]]:
    return [load(path) for path in vector_files(kind) if path.name == "happy-path.json"]


def synthetic_leaves(count: int) -> list[bytes]:
    return [leaf_hash(f"entry {i}".encode()) for i in range(count)]


LEAVES = synthetic_leaves(MAX_GENERATED)


def node_lookup(leaf_hashes: Sequence[bytes]) -> Callable[[int, int], bytes]:
    """A store of perfect-subtree hashes, which refuses anything outside the tree."""

    @cache
    def node(level: int, index: int) -> bytes:
        start, end = index << level, (index + 1) << level
        assert level >= 0 and index >= 0 and end <= len(leaf_hashes), (level, index)
        return subtree_hash(leaf_hashes, start, end)

    return node


def flipped(proof: Sequence[bytes], element: int, bit: int) -> list[bytes]:
    changed = bytearray(proof[element])
    changed[bit // 8] ^= 1 << (bit % 8)
    return [bytes(changed) if i == element else h for i, h in enumerate(proof)]


def bits_to_flip(size: int, element: int) -> Iterator[int]:
    if size <= EXHAUSTIVE_BIT_FLIPS_UP_TO:
        yield from range(256)
    else:
        # First, last and one wandering bit: a flip anywhere changes the SHA-256 input alike.
        yield from {0, 255, (size * 37 + element * 101) % 256}


# --- The published vectors ---------------------------------------------------------------------


def test_the_vector_set_is_complete() -> None:
    assert len(vector_files("inclusion")) == 98
    assert len(vector_files("consistency")) == 98
    assert (VECTORS / "LICENSE-Apache-2.0.txt").is_file()


@pytest.mark.parametrize("path", vector_files("inclusion"), ids=vector_id)
def test_every_inclusion_vector_is_accepted_or_refused_as_published(path: Path) -> None:
    vector = load(path)
    accepted = verify_inclusion(
        vector["leafIdx"],
        vector["treeSize"],
        b64(vector.get("leafHash")),
        b64_list(vector.get("proof")),
        b64(vector.get("root")),
    )
    assert accepted is not vector["wantErr"], vector["desc"]


@pytest.mark.parametrize("path", vector_files("consistency"), ids=vector_id)
def test_every_consistency_vector_is_accepted_or_refused_as_published(path: Path) -> None:
    vector = load(path)
    accepted = verify_consistency(
        vector["size1"],
        vector["size2"],
        b64(vector.get("root1")),
        b64(vector.get("root2")),
        b64_list(vector.get("proof")),
    )
    assert accepted is not vector["wantErr"], vector["desc"]


def test_the_reference_tree_has_the_published_roots_for_sizes_one_to_eight() -> None:
    for size, expected in enumerate(REFERENCE_ROOTS, start=1):
        assert root_from_leaf_hashes(REFERENCE_HASHES[:size]) == expected, size
    assert REFERENCE_ROOTS[-1].hex() == (
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
    )


def test_every_root_in_a_happy_path_vector_is_a_root_of_the_reference_tree() -> None:
    seen: dict[int, bytes] = {}
    for vector in happy_paths("inclusion"):
        seen[vector["treeSize"]] = b64(vector["root"])
        assert b64(vector["leafHash"]) == REFERENCE_HASHES[vector["leafIdx"]]
    for vector in happy_paths("consistency"):
        seen[vector["size1"]] = b64(vector["root1"])
        seen[vector["size2"]] = b64(vector["root2"])
    # The vectors happen to never use a tree of size 4; the published roots cover it.
    assert set(seen) == {1, 2, 3, 5, 6, 7, 8}
    for size, root in seen.items():
        assert root_from_leaf_hashes(REFERENCE_HASHES[:size]) == root, size


def test_happy_path_proofs_are_exactly_the_ones_this_module_generates() -> None:
    for vector in happy_paths("inclusion"):
        tree = REFERENCE_HASHES[: vector["treeSize"]]
        assert inclusion_proof(vector["leafIdx"], tree) == b64_list(vector["proof"])
    for vector in happy_paths("consistency"):
        tree = REFERENCE_HASHES[: vector["size2"]]
        assert consistency_proof(vector["size1"], tree) == b64_list(vector["proof"])


# --- Hashing -----------------------------------------------------------------------------------


def test_leaves_and_nodes_are_hashed_with_distinct_prefixes() -> None:
    assert leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    assert (
        node_hash(b"l" * 32, b"r" * 32) == hashlib.sha256(b"\x01" + b"l" * 32 + b"r" * 32).digest()
    )
    assert leaf_hash(b"l" * 32 + b"r" * 32) != node_hash(b"l" * 32, b"r" * 32)


def test_the_empty_tree_root_is_the_hash_of_nothing() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert root_from_leaf_hashes([]) == EMPTY_ROOT
    assert StreamingRoot().root() == EMPTY_ROOT


def test_a_one_leaf_tree_has_its_leaf_hash_as_root() -> None:
    assert root_from_leaf_hashes([LEAVES[0]]) == LEAVES[0]


def test_subtree_hash_is_the_root_of_the_slice_and_refuses_ranges_outside_the_list() -> None:
    for start in range(20):
        for end in range(start, 21):
            assert subtree_hash(LEAVES, start, end) == root_from_leaf_hashes(LEAVES[start:end])
    for start, end in [(-1, 3), (3, 2), (0, len(LEAVES) + 1)]:
        with pytest.raises(ValueError):
            subtree_hash(LEAVES, start, end)


# --- Streaming root ----------------------------------------------------------------------------


def test_the_streaming_root_equals_the_batch_root_at_every_size() -> None:
    leaves = synthetic_leaves(300)
    stream = StreamingRoot()
    for size, leaf in enumerate(leaves, start=1):
        stream.add(leaf)
        assert stream.size == size
        assert stream.root() == root_from_leaf_hashes(leaves[:size]), size


def test_the_streaming_root_keeps_one_hash_per_set_bit_of_the_size() -> None:
    stream = StreamingRoot()
    for leaf in synthetic_leaves(1000):
        stream.add(leaf)
        assert len(stream._peaks) == stream.size.bit_count()


def test_a_large_tree_root_needs_no_recursion() -> None:
    leaves = synthetic_leaves(2**16 + 3)
    stream = StreamingRoot()
    for leaf in leaves:
        stream.add(leaf)
    assert root_from_leaf_hashes(leaves) == stream.root()
    assert root_from_leaf_hashes(tuple(leaves)) == stream.root()


# --- Generated proofs --------------------------------------------------------------------------


def test_every_generated_inclusion_proof_verifies_for_trees_up_to_70_leaves() -> None:
    for size in range(1, MAX_GENERATED + 1):
        tree = LEAVES[:size]
        root = root_from_leaf_hashes(tree)
        for index in range(size):
            proof = inclusion_proof(index, tree)
            assert verify_inclusion(index, size, tree[index], proof, root), (index, size)


def test_every_generated_consistency_proof_verifies_for_sizes_up_to_70() -> None:
    roots = [root_from_leaf_hashes(LEAVES[:size]) for size in range(MAX_GENERATED + 1)]
    for size2 in range(1, MAX_GENERATED + 1):
        for size1 in range(1, size2 + 1):
            proof = consistency_proof(size1, LEAVES[:size2])
            assert verify_consistency(size1, size2, roots[size1], roots[size2], proof), (
                size1,
                size2,
            )
            assert (proof == []) is (size1 == size2)


def test_flipping_any_bit_of_an_inclusion_proof_makes_it_fail() -> None:
    for size in range(2, MAX_GENERATED + 1):
        tree = LEAVES[:size]
        root = root_from_leaf_hashes(tree)
        for index in range(size):
            proof = inclusion_proof(index, tree)
            for element in range(len(proof)):
                for bit in bits_to_flip(size, element):
                    broken = flipped(proof, element, bit)
                    assert not verify_inclusion(index, size, tree[index], broken, root)


def test_flipping_any_bit_of_a_consistency_proof_makes_it_fail() -> None:
    roots = [root_from_leaf_hashes(LEAVES[:size]) for size in range(MAX_GENERATED + 1)]
    for size2 in range(2, MAX_GENERATED + 1):
        for size1 in range(1, size2):
            proof = consistency_proof(size1, LEAVES[:size2])
            for element in range(len(proof)):
                for bit in bits_to_flip(size2, element):
                    broken = flipped(proof, element, bit)
                    assert not verify_consistency(size1, size2, roots[size1], roots[size2], broken)


def test_an_inclusion_proof_fails_for_another_leaf_index_leaf_or_root() -> None:
    for size in range(1, 40):
        tree = LEAVES[:size]
        root = root_from_leaf_hashes(tree)
        for index in range(size):
            proof = inclusion_proof(index, tree)
            leaf = tree[index]
            for other in range(size + 2):
                if other != index:
                    assert not verify_inclusion(other, size, leaf, proof, root)
            assert not verify_inclusion(index, size, LEAVES[size], proof, root)
            assert not verify_inclusion(index, size, leaf, proof, LEAVES[size])


def test_an_inclusion_proof_fails_for_a_tree_twice_or_half_as_large() -> None:
    # Other sizes are not excluded in general: the hashes do not commit to the tree size, so a
    # path can fit a differently shaped tree (that is why a checkpoint signs size and root).
    for size in range(1, 40):
        tree = LEAVES[:size]
        root = root_from_leaf_hashes(tree)
        for index in range(size):
            proof = inclusion_proof(index, tree)
            assert not verify_inclusion(index, size * 2, tree[index], proof, root)
            assert not verify_inclusion(index, size // 2, tree[index], proof, root)


def test_a_consistency_proof_fails_for_another_old_size_or_other_roots() -> None:
    roots = [root_from_leaf_hashes(LEAVES[:size]) for size in range(42)]
    for size2 in range(2, 40):
        for size1 in range(1, size2):
            proof = consistency_proof(size1, LEAVES[:size2])
            for other1 in range(size2 + 2):
                if other1 != size1:
                    assert not verify_consistency(other1, size2, roots[size1], roots[size2], proof)
            assert not verify_consistency(size1, size2 * 2, roots[size1], roots[size2], proof)
            assert not verify_consistency(size1, size2 // 2, roots[size1], roots[size2], proof)
            assert not verify_consistency(size1, size2, roots[size2], roots[size1], proof)
            assert not verify_consistency(size1, size2, roots[size1 - 1], roots[size2], proof)
            assert not verify_consistency(size1, size2, roots[size1], roots[size2 + 1], proof)


# --- Malformed input ---------------------------------------------------------------------------


def test_malformed_inclusion_input_is_refused_without_raising() -> None:
    tree = LEAVES[:11]
    root = root_from_leaf_hashes(tree)
    proof = inclusion_proof(6, tree)
    leaf = tree[6]
    assert verify_inclusion(6, 11, leaf, proof, root)
    refused = [
        (11, 11, leaf, proof, root),  # index == size
        (12, 11, leaf, proof, root),
        (-1, 11, leaf, proof, root),
        (6, 0, leaf, proof, root),
        (6, -11, leaf, proof, root),
        (6, 11, leaf, proof[:-1], root),  # missing element
        (6, 11, leaf, [*proof, root], root),  # extra element at the end
        (6, 11, leaf, [root, *proof], root),  # extra element in front
        (6, 11, leaf, [*proof, b""], root),
        (6, 11, leaf, [], root),
        (6, 11, leaf, [proof[0][:-1], *proof[1:]], root),  # truncated hash
        (6, 11, leaf + b"\x00", proof, root),
        (6, 11, b"", proof, root),
        (6, 11, leaf, proof, b""),
        (6, 11, leaf, proof, root[:-1]),
    ]
    for index, size, leaf_, proof_, root_ in refused:
        assert verify_inclusion(index, size, leaf_, proof_, root_) is False


def test_a_single_leaf_tree_is_proven_by_the_empty_path_and_nothing_else() -> None:
    leaf = LEAVES[0]
    assert verify_inclusion(0, 1, leaf, [], leaf)
    assert not verify_inclusion(0, 1, leaf, [leaf], leaf)
    assert not verify_inclusion(0, 1, b"", [], b"")
    assert not verify_inclusion(0, 1, leaf, [], LEAVES[1])


def test_malformed_consistency_input_is_refused_without_raising() -> None:
    root4, root7 = root_from_leaf_hashes(LEAVES[:4]), root_from_leaf_hashes(LEAVES[:7])
    root5 = root_from_leaf_hashes(LEAVES[:5])
    proof = consistency_proof(5, LEAVES[:7])
    assert verify_consistency(5, 7, root5, root7, proof)
    refused = [
        (7, 5, root5, root7, proof),  # size1 > size2
        (-5, 7, root5, root7, proof),
        (5, -7, root5, root7, proof),
        (5, 7, root5, root7, []),
        (5, 7, root5, root7, proof[:-1]),
        (5, 7, root5, root7, [*proof, root7]),
        (5, 7, root5, root7, [proof[0], *proof]),
        (5, 7, root5, root7, [*proof, b""]),
        (5, 7, root5, root7, [proof[0] + b"\x00", *proof[1:]]),
        (5, 7, b"", root7, proof),
        (5, 7, root5, root7[:-1], proof),
        (4, 7, root4, root7, [root4]),  # a power-of-two size1 never repeats its own root
    ]
    for size1, size2, root1, root2, proof_ in refused:
        assert verify_consistency(size1, size2, root1, root2, proof_) is False


def test_equal_sizes_are_consistent_only_with_an_empty_proof_and_the_same_root() -> None:
    root = root_from_leaf_hashes(LEAVES[:9])
    assert verify_consistency(9, 9, root, root, [])
    assert not verify_consistency(9, 9, root, root, [root])
    assert not verify_consistency(9, 9, root, LEAVES[0], [])


def test_nothing_is_consistent_with_the_empty_tree() -> None:
    # RFC 9162 asks for 0 < size1, and the vectors refuse size1 == 0 even against itself.
    root = root_from_leaf_hashes(LEAVES[:3])
    assert not verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    assert not verify_consistency(0, 3, EMPTY_ROOT, root, [])
    assert not verify_consistency(0, 3, EMPTY_ROOT, root, [EMPTY_ROOT])


def test_proof_builders_refuse_requests_outside_the_tree() -> None:
    for index, leaves in [(0, []), (3, LEAVES[:3]), (-1, LEAVES[:3])]:
        with pytest.raises(ValueError):
            inclusion_proof(index, leaves)
    for size1, leaves in [(0, LEAVES[:3]), (4, LEAVES[:3]), (-1, LEAVES[:3])]:
        with pytest.raises(ValueError):
            consistency_proof(size1, leaves)
    node = node_lookup(LEAVES[:3])
    with pytest.raises(ValueError):
        inclusion_proof_from_nodes(3, 3, node)
    with pytest.raises(ValueError):
        consistency_proof_from_nodes(0, 3, node)


# --- Proofs from stored perfect subtrees -------------------------------------------------------


def test_node_based_inclusion_proofs_equal_list_based_ones_up_to_70_leaves() -> None:
    node = node_lookup(LEAVES)
    for size in range(1, MAX_GENERATED + 1):
        tree = LEAVES[:size]
        for index in range(size):
            assert inclusion_proof_from_nodes(index, size, node) == inclusion_proof(index, tree)


def test_node_based_consistency_proofs_equal_list_based_ones_up_to_40_leaves() -> None:
    node = node_lookup(LEAVES)
    for size2 in range(1, MAX_NODE_CONSISTENCY + 1):
        tree = LEAVES[:size2]
        for size1 in range(1, size2 + 1):
            expected = consistency_proof(size1, tree)
            assert consistency_proof_from_nodes(size1, size2, node) == expected, (size1, size2)


def test_node_based_builders_only_look_up_nodes_inside_the_tree() -> None:
    for size in range(1, 40):
        node = node_lookup(LEAVES[:size])
        for index in range(size):
            inclusion_proof_from_nodes(index, size, node)
        for size1 in range(1, size + 1):
            consistency_proof_from_nodes(size1, size, node)


def test_node_based_builders_need_a_logarithmic_number_of_lookups() -> None:
    lookups: list[tuple[int, int]] = []

    def node(level: int, index: int) -> bytes:
        lookups.append((level, index))
        return hashlib.sha256(f"{level}/{index}".encode()).digest()

    size = 2**40 - 12345
    for index in [0, 1, 2**39, size // 3, size - 2, size - 1]:
        lookups.clear()
        inclusion_proof_from_nodes(index, size, node)
        assert len(lookups) <= 2 * 40
    for size1 in [1, 2**39, size // 3, size - 1]:
        lookups.clear()
        consistency_proof_from_nodes(size1, size, node)
        assert len(lookups) <= 2 * 40 + 1
