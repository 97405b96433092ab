/**
 * RegistryAnchor: every rule of `contracts/RegistryAnchor.sol`, in the manner of OpenZeppelin's own
 * suites (`test/access/AccessControl.behavior.js`: fixtures, `revertedWithCustomError(...).withArgs(...)`).
 *
 * Trees are built with `@openzeppelin/merkle-tree` (StandardMerkleTree over one `bytes32`), so the
 * contract is checked against OpenZeppelin's own leaves and proofs, and with merkletreejs configured
 * as the ledger configures it (keccak256, sorted pairs, leaves already hashed) to show the two agree.
 *
 * Run: `hardhat build --quiet && hardhat test mocha`.
 */
import { expect } from 'chai';
import { network } from 'hardhat';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { MerkleTree } from 'merkletreejs';
import {
  ZeroHash,
  id,
  keccak256,
  type BaseContract,
  type BaseContractMethod,
  type ContractTransactionResponse,
  type Signer,
} from 'ethers';

const { ethers, networkHelpers } = await network.create();

const ANCHORER_ROLE = id('ANCHORER_ROLE');
const DEFAULT_ADMIN_ROLE = ZeroHash;
/** Ceiling for one `anchor` call: three fresh storage slots (~66k) plus the 21k base, with room. */
const ANCHOR_GAS_CEILING = 100_000n;

/** Commitments standing in for record versions, in commit order. */
const commitments = (count: number, label = 'record'): string[] =>
  Array.from({ length: count }, (_, i) => id(`${label} ${i}`));

/**
 * OpenZeppelin's StandardMerkleTree of one `bytes32` per leaf, in commit order (`sortLeaves: false`,
 * as the ledger keeps leaves in commit order). Its leaf is keccak256(keccak256(abi.encode(value))).
 */
function standardTree(values: string[]) {
  return StandardMerkleTree.of(
    values.map((value) => [value]),
    ['bytes32'],
    { sortLeaves: false },
  );
}

/** merkletreejs as the ledger configures it: keccak256, sorted pairs, leaves already hashed. */
function ledgerTree(leaves: string[]): MerkleTree {
  return new MerkleTree(leaves, keccak256, { sortPairs: true });
}

type Count = bigint | number;
type Send<A extends unknown[]> = BaseContractMethod<A, void, ContractTransactionResponse>;
type View<A extends unknown[], R> = BaseContractMethod<A, R, R>;

/** The contract's ABI as the tests call it (the project generates no typings for contracts). */
interface RegistryAnchor extends BaseContract {
  anchor: Send<[batchId: Count, root: string, leafCount: Count]>;
  grantRole: Send<[role: string, account: string]>;
  revokeRole: Send<[role: string, account: string]>;
  renounceRole: Send<[role: string, callerConfirmation: string]>;
  hasRole: View<[role: string, account: string], boolean>;
  ANCHORER_ROLE: View<[], string>;
  latestBatchId: View<[], bigint>;
  batch: View<[batchId: Count], [root: string, leafCount: bigint, anchoredAt: bigint]>;
  verify: View<[batchId: Count, leaf: string, proof: string[]], boolean>;
}

/** The contract as seen by `signer` (ethers' `connect` returns an untyped BaseContract). */
const as = (registry: RegistryAnchor, signer: Signer): RegistryAnchor => registry.connect(signer) as RegistryAnchor;

async function deployed() {
  const [admin, anchorer, other] = await ethers.getSigners();
  if (!admin || !anchorer || !other) throw new Error('the simulated network has too few accounts');
  const registry = (await ethers.deployContract('RegistryAnchor', [admin.address])) as unknown as RegistryAnchor;
  return { registry, admin, anchorer, other };
}

async function deployedWithAnchorer() {
  const fixture = await deployed();
  await as(fixture.registry, fixture.admin).grantRole(ANCHORER_ROLE, fixture.anchorer.address);
  return fixture;
}

async function deployedWithOneBatch() {
  const fixture = await deployedWithAnchorer();
  const values = commitments(8);
  const tree = standardTree(values);
  await as(fixture.registry, fixture.anchorer).anchor(1, tree.root, tree.length);
  return { ...fixture, values, tree };
}

describe('RegistryAnchor', function () {
  describe('roles', function () {
    it('gives the admin passed to the constructor the admin role, and nobody the anchorer role', async function () {
      const { registry, admin, anchorer } = await networkHelpers.loadFixture(deployed);
      expect(await registry.hasRole(DEFAULT_ADMIN_ROLE, admin.address)).to.equal(true);
      expect(await registry.hasRole(ANCHORER_ROLE, admin.address)).to.equal(false);
      expect(await registry.hasRole(ANCHORER_ROLE, anchorer.address)).to.equal(false);
      expect(await registry.ANCHORER_ROLE()).to.equal(ANCHORER_ROLE);
    });

    it('refuses an anchor from an account without the anchorer role, the admin included', async function () {
      const { registry, admin, other } = await networkHelpers.loadFixture(deployed);
      for (const signer of [admin, other]) {
        await expect(as(registry, signer).anchor(1, id('root'), 1))
          .to.be.revertedWithCustomError(registry, 'AccessControlUnauthorizedAccount')
          .withArgs(signer.address, ANCHORER_ROLE);
      }
    });

    it('lets the admin grant the anchorer role', async function () {
      const { registry, admin, anchorer } = await networkHelpers.loadFixture(deployed);
      await expect(as(registry, admin).grantRole(ANCHORER_ROLE, anchorer.address))
        .to.emit(registry, 'RoleGranted')
        .withArgs(ANCHORER_ROLE, anchorer.address, admin.address);
      expect(await registry.hasRole(ANCHORER_ROLE, anchorer.address)).to.equal(true);
    });

    it('refuses a grant or a revocation from anyone but the admin, an anchorer included', async function () {
      const { registry, anchorer, other } = await networkHelpers.loadFixture(deployedWithAnchorer);
      for (const signer of [anchorer, other]) {
        await expect(as(registry, signer).grantRole(ANCHORER_ROLE, other.address))
          .to.be.revertedWithCustomError(registry, 'AccessControlUnauthorizedAccount')
          .withArgs(signer.address, DEFAULT_ADMIN_ROLE);
        await expect(as(registry, signer).revokeRole(ANCHORER_ROLE, anchorer.address))
          .to.be.revertedWithCustomError(registry, 'AccessControlUnauthorizedAccount')
          .withArgs(signer.address, DEFAULT_ADMIN_ROLE);
      }
      expect(await registry.hasRole(ANCHORER_ROLE, anchorer.address)).to.equal(true);
      expect(await registry.hasRole(ANCHORER_ROLE, other.address)).to.equal(false);
    });

    it('stops an anchorer whose role the admin revoked', async function () {
      const { registry, admin, anchorer } = await networkHelpers.loadFixture(deployedWithAnchorer);
      await as(registry, anchorer).anchor(1, id('root 1'), 1);
      await expect(as(registry, admin).revokeRole(ANCHORER_ROLE, anchorer.address))
        .to.emit(registry, 'RoleRevoked')
        .withArgs(ANCHORER_ROLE, anchorer.address, admin.address);
      await expect(as(registry, anchorer).anchor(2, id('root 2'), 1))
        .to.be.revertedWithCustomError(registry, 'AccessControlUnauthorizedAccount')
        .withArgs(anchorer.address, ANCHORER_ROLE);
      expect(await registry.latestBatchId()).to.equal(1n);
    });

    it('stops an anchorer that renounced its role', async function () {
      const { registry, anchorer } = await networkHelpers.loadFixture(deployedWithAnchorer);
      await as(registry, anchorer).renounceRole(ANCHORER_ROLE, anchorer.address);
      await expect(as(registry, anchorer).anchor(1, id('root'), 1))
        .to.be.revertedWithCustomError(registry, 'AccessControlUnauthorizedAccount')
        .withArgs(anchorer.address, ANCHORER_ROLE);
    });
  });

  describe('anchor', function () {
    it('anchors batch 1 first and emits BatchAnchored with id, root, count and anchorer', async function () {
      const { registry, anchorer } = await networkHelpers.loadFixture(deployedWithAnchorer);
      const root = id('root 1');
      await expect(as(registry, anchorer).anchor(1, root, 3))
        .to.emit(registry, 'BatchAnchored')
        .withArgs(1n, root, 3n, anchorer.address);
      expect(await registry.latestBatchId()).to.equal(1n);
    });

    it('refuses batch 0 and batch 2 as the first batch, naming the expected id', async function () {
      const { registry, anchorer } = await networkHelpers.loadFixture(deployedWithAnchorer);
      for (const given of [0n, 2n]) {
        await expect(as(registry, anchorer).anchor(given, id('root'), 1))
          .to.be.revertedWithCustomError(registry, 'RegistryAnchorUnexpectedBatchId')
          .withArgs(1n, given);
      }
      expect(await registry.latestBatchId()).to.equal(0n);
    });

    it('takes batches 1, 2, 3 in sequence and refuses a skipped id', async function () {
      const { registry, anchorer } = await networkHelpers.loadFixture(deployedWithAnchorer);
      const asAnchorer = as(registry, anchorer);
      await asAnchorer.anchor(1, id('root 1'), 1);
      await asAnchorer.anchor(2, id('root 2'), 2);
      await expect(asAnchorer.anchor(4, id('root 4'), 4))
        .to.be.revertedWithCustomError(registry, 'RegistryAnchorUnexpectedBatchId')
        .withArgs(3n, 4n);
      await asAnchorer.anchor(3, id('root 3'), 3);
      expect(await registry.latestBatchId()).to.equal(3n);
    });

    it('never lets an anchored batch be anchored again, so its root cannot be replaced', async function () {
      const { registry, anchorer, tree } = await networkHelpers.loadFixture(deployedWithOneBatch);
      await expect(as(registry, anchorer).anchor(1, id('another root'), 8))
        .to.be.revertedWithCustomError(registry, 'RegistryAnchorUnexpectedBatchId')
        .withArgs(2n, 1n);
      await expect(as(registry, anchorer).anchor(1, tree.root, 8))
        .to.be.revertedWithCustomError(registry, 'RegistryAnchorUnexpectedBatchId')
        .withArgs(2n, 1n);
      const [root] = await registry.batch(1);
      expect(root).to.equal(tree.root);
    });

    it('refuses an all-zero root', async function () {
      const { registry, anchorer } = await networkHelpers.loadFixture(deployedWithAnchorer);
      await expect(as(registry, anchorer).anchor(1, ZeroHash, 1)).to.be.revertedWithCustomError(
        registry,
        'RegistryAnchorZeroRoot',
      );
    });

    it('refuses a batch of zero leaves, and a count that does not fit in 64 bits', async function () {
      const { registry, anchorer } = await networkHelpers.loadFixture(deployedWithAnchorer);
      for (const count of [0n, 2n ** 64n]) {
        await expect(as(registry, anchorer).anchor(1, id('root'), count))
          .to.be.revertedWithCustomError(registry, 'RegistryAnchorInvalidLeafCount')
          .withArgs(count);
      }
      expect(await registry.latestBatchId()).to.equal(0n);
    });

    it('accepts the largest 64-bit leaf count', async function () {
      const { registry, anchorer } = await networkHelpers.loadFixture(deployedWithAnchorer);
      await as(registry, anchorer).anchor(1, id('root'), 2n ** 64n - 1n);
      const [, leafCount] = await registry.batch(1);
      expect(leafCount).to.equal(2n ** 64n - 1n);
    });

    it('costs less than the gas ceiling for one anchor', async function () {
      const { registry, anchorer } = await networkHelpers.loadFixture(deployedWithAnchorer);
      const tree = standardTree(commitments(8));
      const gasUsed = async (sent: Promise<ContractTransactionResponse>) => (await (await sent).wait())!.gasUsed;
      const first = await gasUsed(as(registry, anchorer).anchor(1, tree.root, tree.length));
      const next = await gasUsed(as(registry, anchorer).anchor(2, id('root 2'), 10_000));
      console.log(`      gas used by anchor(): ${first} (first batch), ${next} (a later batch)`);
      expect(first).to.be.lessThan(ANCHOR_GAS_CEILING);
      expect(next).to.be.lessThan(first);
    });
  });

  describe('views', function () {
    it('reports latest batch id 0 before any batch', async function () {
      const { registry } = await networkHelpers.loadFixture(deployed);
      expect(await registry.latestBatchId()).to.equal(0n);
    });

    it("returns a batch's root, leaf count and the timestamp of the block that anchored it", async function () {
      const { registry, anchorer } = await networkHelpers.loadFixture(deployedWithAnchorer);
      const anchoredAt = (await networkHelpers.time.latest()) + 1_000;
      await networkHelpers.time.setNextBlockTimestamp(anchoredAt);
      await as(registry, anchorer).anchor(1, id('root 1'), 42);
      const [root, leafCount, timestamp] = await registry.batch(1);
      expect(root).to.equal(id('root 1'));
      expect(leafCount).to.equal(42n);
      expect(timestamp).to.equal(BigInt(anchoredAt));
    });

    it('reverts for a batch that was never anchored, batch 0 included', async function () {
      const { registry } = await networkHelpers.loadFixture(deployedWithOneBatch);
      for (const batchId of [0n, 2n]) {
        await expect(registry.batch(batchId))
          .to.be.revertedWithCustomError(registry, 'RegistryAnchorUnknownBatch')
          .withArgs(batchId);
      }
    });
  });

  describe('verify', function () {
    it("accepts every leaf of an OpenZeppelin StandardMerkleTree with the tree's own proof", async function () {
      const { registry, tree } = await networkHelpers.loadFixture(deployedWithOneBatch);
      for (const [index, value] of tree.entries()) {
        expect(await registry.verify(1, tree.leafHash(value), tree.getProof(index))).to.equal(true);
      }
    });

    it('rejects a leaf that is not in the batch', async function () {
      const { registry, tree } = await networkHelpers.loadFixture(deployedWithOneBatch);
      const stranger = keccak256(keccak256(id('never committed')));
      expect(await registry.verify(1, stranger, tree.getProof(0))).to.equal(false);
    });

    it('rejects the bare commitment and the single hash, since a leaf is double-hashed', async function () {
      const { registry, values, tree } = await networkHelpers.loadFixture(deployedWithOneBatch);
      const value = values[0]!;
      expect(await registry.verify(1, value, tree.getProof(0))).to.equal(false);
      expect(await registry.verify(1, keccak256(value), tree.getProof(0))).to.equal(false);
    });

    it("rejects a leaf with another leaf's proof, a truncated proof or an altered sibling", async function () {
      const { registry, tree } = await networkHelpers.loadFixture(deployedWithOneBatch);
      const leaf = tree.leafHash(tree.at(0)!);
      const proof = tree.getProof(0);
      expect(await registry.verify(1, leaf, tree.getProof(2))).to.equal(false);
      expect(await registry.verify(1, leaf, proof.slice(0, -1))).to.equal(false);
      expect(await registry.verify(1, leaf, [id('altered'), ...proof.slice(1)])).to.equal(false);
      expect(await registry.verify(1, leaf, [])).to.equal(false);
    });

    it('rejects a proof checked against another batch', async function () {
      const { registry, anchorer, tree } = await networkHelpers.loadFixture(deployedWithOneBatch);
      const second = standardTree(commitments(8, 'second batch'));
      await as(registry, anchorer).anchor(2, second.root, second.length);
      const leaf = tree.leafHash(tree.at(3)!);
      expect(await registry.verify(1, leaf, tree.getProof(3))).to.equal(true);
      expect(await registry.verify(2, leaf, tree.getProof(3))).to.equal(false);
    });

    it('reverts for a batch that was never anchored', async function () {
      const { registry, tree } = await networkHelpers.loadFixture(deployedWithOneBatch);
      await expect(registry.verify(2, tree.leafHash(tree.at(0)!), tree.getProof(0)))
        .to.be.revertedWithCustomError(registry, 'RegistryAnchorUnknownBatch')
        .withArgs(2n);
    });
  });

  describe('the ledger tree (merkletreejs, sorted pairs) against OpenZeppelin StandardMerkleTree', function () {
    it('builds the same leaves, root and proofs for a power-of-two batch', async function () {
      const values = commitments(8);
      const standard = standardTree(values);
      const leaves = values.map((value) => keccak256(keccak256(value)));
      expect(leaves).to.deep.equal(values.map((value) => standard.leafHash([value])));
      const ledger = ledgerTree(leaves);
      expect(ledger.getHexRoot()).to.equal(standard.root);
      leaves.forEach((leaf, index) => expect(ledger.getHexProof(leaf, index)).to.deep.equal(standard.getProof(index)));
    });

    // The two libraries place an odd leaf differently (merkletreejs carries it up a level,
    // OpenZeppelin fills a complete binary tree), so for other counts the roots differ; but both
    // use sorted pairs, so MerkleProof.verify accepts each tree's proofs against that tree's root.
    it('has every proof of a batch of 5 verified by the contract, whichever library built it', async function () {
      const { registry, anchorer } = await networkHelpers.loadFixture(deployedWithAnchorer);
      const values = commitments(5);
      const standard = standardTree(values);
      const leaves = values.map((value) => standard.leafHash([value]));
      const ledger = ledgerTree(leaves);
      expect(ledger.getHexRoot()).to.not.equal(standard.root);
      await as(registry, anchorer).anchor(1, ledger.getHexRoot(), leaves.length);
      await as(registry, anchorer).anchor(2, standard.root, standard.length);
      for (const [index, leaf] of leaves.entries()) {
        expect(await registry.verify(1, leaf, ledger.getHexProof(leaf, index))).to.equal(true);
        expect(await registry.verify(2, leaf, standard.getProof(index))).to.equal(true);
        expect(StandardMerkleTree.verify(ledger.getHexRoot(), ['bytes32'], [values[index]!], ledger.getHexProof(leaf, index))).to.equal(true);
      }
    });
  });
});
