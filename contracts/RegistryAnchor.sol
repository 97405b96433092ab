// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/**
 * @title RegistryAnchor
 * @notice Anchors the Merkle roots of civil-registry record batches on a permissioned chain.
 *
 * @dev Batches are numbered 1, 2, 3, ... with no gaps; a root, once anchored, is never replaced.
 * The chain holds roots, leaf counts and batch ids only: never personal data (see DESIGN.md,
 * "The integrity scheme"). Leaves are OpenZeppelin StandardMerkleTree leaves of one `bytes32`
 * commitment (`keccak256(bytes.concat(keccak256(abi.encode(commitment))))`) and trees use sorted
 * pairs, so {MerkleProof-verify} checks membership exactly as the off-chain ledger does.
 *
 * Roles follow {AccessControl}: `DEFAULT_ADMIN_ROLE` grants and revokes, `ANCHORER_ROLE` anchors.
 */
contract RegistryAnchor is AccessControl {
    /// @notice Role allowed to anchor batches (the anchor worker's signer).
    bytes32 public constant ANCHORER_ROLE = keccak256("ANCHORER_ROLE");

    struct Batch {
        bytes32 root;
        uint64 leafCount;
        uint64 anchoredAt;
    }

    uint256 private _latestBatchId;
    mapping(uint256 batchId => Batch) private _batches;

    /// @dev The batch id is not the next in sequence (`latestBatchId() + 1`).
    error RegistryAnchorUnexpectedBatchId(uint256 expected, uint256 given);

    /// @dev A batch cannot have an all-zero root.
    error RegistryAnchorZeroRoot();

    /// @dev A batch must hold at least one leaf (and fit in 64 bits).
    error RegistryAnchorInvalidLeafCount(uint256 leafCount);

    /// @dev The batch was never anchored.
    error RegistryAnchorUnknownBatch(uint256 batchId);

    /// @notice Emitted right after batch `batchId` is anchored.
    event BatchAnchored(uint256 indexed batchId, bytes32 indexed root, uint256 leafCount, address indexed anchorer);

    /// @param admin Account given `DEFAULT_ADMIN_ROLE` (grants and revokes anchorers).
    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /**
     * @notice Anchors the root of batch `batchId` holding `leafCount` leaves.
     * @dev Requirements: caller has `ANCHORER_ROLE`; `batchId == latestBatchId() + 1`, which also
     * refuses any second anchoring of an id; `root != 0`; `0 < leafCount < 2**64`.
     * Emits {BatchAnchored}.
     */
    function anchor(uint256 batchId, bytes32 root, uint256 leafCount) external onlyRole(ANCHORER_ROLE) {
        uint256 expected = _latestBatchId + 1;
        if (batchId != expected) revert RegistryAnchorUnexpectedBatchId(expected, batchId);
        if (root == bytes32(0)) revert RegistryAnchorZeroRoot();
        if (leafCount == 0 || leafCount > type(uint64).max) revert RegistryAnchorInvalidLeafCount(leafCount);

        _latestBatchId = batchId;
        _batches[batchId] = Batch(root, uint64(leafCount), uint64(block.timestamp));
        emit BatchAnchored(batchId, root, leafCount, _msgSender());
    }

    /// @notice The id of the last anchored batch, 0 when none is.
    function latestBatchId() external view returns (uint256) {
        return _latestBatchId;
    }

    /**
     * @notice Root, leaf count and anchoring time (block timestamp) of batch `batchId`.
     * @dev Reverts with {RegistryAnchorUnknownBatch} for a batch that was never anchored.
     */
    function batch(uint256 batchId) external view returns (bytes32 root, uint256 leafCount, uint256 anchoredAt) {
        Batch storage b = _requireBatch(batchId);
        return (b.root, b.leafCount, b.anchoredAt);
    }

    /**
     * @notice Whether `leaf` is in batch `batchId`, given its sorted-pair Merkle `proof`.
     * @dev Uses {MerkleProof-verify}. `leaf` must already be the double-hashed standard leaf; an
     * inner node cannot pass as one. Reverts with {RegistryAnchorUnknownBatch} for an unknown batch.
     */
    function verify(uint256 batchId, bytes32 leaf, bytes32[] calldata proof) external view returns (bool) {
        return MerkleProof.verifyCalldata(proof, _requireBatch(batchId).root, leaf);
    }

    function _requireBatch(uint256 batchId) private view returns (Batch storage b) {
        b = _batches[batchId];
        if (b.root == bytes32(0)) revert RegistryAnchorUnknownBatch(batchId);
    }
}
