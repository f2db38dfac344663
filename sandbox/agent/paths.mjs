// @ts-check
// Where things are inside the sandbox container. Every path can be moved with
// an environment variable so the agent can also run on a host for tests.
import path from 'node:path';

const env = process.env;

export const fabricBin = env.STUDIO_FABRIC_BIN ?? '/opt/fabric/bin';
/** Holds Fabric's own sampleconfig core.yaml and orderer.yaml (taken from the Go module at image build). */
export const fabricConfig = env.STUDIO_FABRIC_CONFIG ?? '/opt/fabric/config';
/** Our configtx.yaml and crypto-config.yaml. */
export const studioConfig = env.STUDIO_CONFIG ?? '/opt/studio/config';
/** Delve, built from its Go module into the image (debugs Go chaincode). */
export const delveBinary = env.STUDIO_DELVE ?? '/opt/studio/bin/dlv';
export const chaincodeRuntime = env.STUDIO_CHAINCODE_RUNTIME ?? '/opt/chaincode/node_modules';
/** V8's code cache of the runtime, made at image build (codeCache.mjs); standbys load the runtime through it. */
export const chaincodeCodeCache = env.STUDIO_CHAINCODE_CODE_CACHE ?? '/opt/chaincode/code-cache.bin';
/** The compiled chaincode: /chaincode is the workspace's build dir, mounted read-only; app/ is swapped in whole on each build. */
export const chaincodeDir = env.STUDIO_CHAINCODE_DIR ?? '/chaincode/app';
/** The sandbox's persistent state (a Docker volume): keys, ledgers, state.json. */
export const dataDir = env.STUDIO_SANDBOX_DATA ?? '/var/sandbox';
export const scratchDir = env.STUDIO_SCRATCH ?? '/tmp';

export const cryptoDir = path.join(dataDir, 'crypto');
export const configCopyDir = path.join(dataDir, 'config');
export const stateFile = path.join(dataDir, 'state.json');
/** The network's shape (orgs, channel) the disk was built for (networkShape.mjs). */
export const networkFile = path.join(dataDir, 'network.json');
export const genesisBlock = path.join(dataDir, 'genesis.block');
export const ordererData = path.join(dataDir, 'orderer');
export const peerData = path.join(dataDir, 'peer');

const peerOrg = path.join(cryptoDir, 'peerOrganizations', 'org1.example.com');
export const peerMsp = path.join(peerOrg, 'peers', 'peer0.org1.example.com', 'msp');
export const adminMsp = path.join(peerOrg, 'users', 'Admin@org1.example.com', 'msp');
export const userMsp = path.join(peerOrg, 'users', 'User1@org1.example.com', 'msp');
/** The identity handed to the user's own client applications: an ordinary member, neither the admin nor the IDE's user. */
export const clientMsp = path.join(peerOrg, 'users', 'User2@org1.example.com', 'msp');
const ordererNode = path.join(cryptoDir, 'ordererOrganizations', 'example.com', 'orderers', 'orderer.example.com');
export const ordererMsp = path.join(ordererNode, 'msp');
/** TLS material (server.crt, server.key, ca.crt) that cryptogen writes beside each node's MSP. */
export const ordererTls = path.join(ordererNode, 'tls');
export const peerTls = path.join(peerOrg, 'peers', 'peer0.org1.example.com', 'tls');
/** Offline external builder for `node` packages (production mode). */
export const nodeBuilder = env.STUDIO_NODE_BUILDER ?? '/opt/studio/builders/node';
/** Offline external builder for vendored `golang` packages (production mode), with the image's Go toolchain. */
export const golangBuilder = env.STUDIO_GOLANG_BUILDER ?? '/opt/studio/builders/golang';
export const ccaasBuilder = env.STUDIO_CCAAS_BUILDER ?? '/opt/hyperledger/ccaas_builder';
