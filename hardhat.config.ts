import { createRequire } from 'node:module';
import { defineConfig } from 'hardhat/config';
import hardhatEthers from '@nomicfoundation/hardhat-ethers';
import hardhatEthersChaiMatchers from '@nomicfoundation/hardhat-ethers-chai-matchers';
import hardhatMocha from '@nomicfoundation/hardhat-mocha';
import hardhatNetworkHelpers from '@nomicfoundation/hardhat-network-helpers';

// Offline by design: the compiler is the `solc` npm package's soljson, never a download.
const require = createRequire(import.meta.url);
const soljson = require.resolve('solc/soljson.js');
const { version: solcVersion } = require('solc/package.json') as { version: string };

export default defineConfig({
  plugins: [hardhatEthers, hardhatEthersChaiMatchers, hardhatMocha, hardhatNetworkHelpers],
  solidity: {
    version: solcVersion,
    path: soljson,
    settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: 'cancun' },
  },
  paths: {
    sources: './contracts',
    tests: { mocha: './contracts/test' },
  },
});
