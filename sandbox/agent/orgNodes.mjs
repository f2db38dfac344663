// @ts-check
// Where each org of the sandbox's network lives inside the one container: its
// peer's ports, ledger dir and keys. The first org is today's one-org sandbox
// exactly (constants.mjs, paths.mjs); org N listens 1000 ports higher
// (8051, 9051), its inspector one port higher (9230, 9231), as Fabric's own
// test network numbers its peers.
import path from 'node:path';
import { chaincodePort, inspectorPort, loopback, peerOperationsPort, peerPort } from './constants.mjs';
import * as p from './paths.mjs';

/**
 * @typedef {{
 *   index: number,
 *   mspId: string,
 *   domain: string,
 *   peerHostname: string,
 *   peerPort: number,
 *   chaincodePort: number,
 *   operationsPort: number,
 *   inspectorPort: number,
 *   peerAddress: string,
 *   chaincodeAddress: string,
 *   peerData: string,
 *   peerMsp: string,
 *   peerTls: string,
 *   adminMsp: string,
 *   userMsp: string,
 *   clientMsp: string,
 * }} OrgNode
 */

/** Port distance between two orgs' peers. */
const orgPortStep = 1000;

/**
 * The `index`-th org (0-based) of the network, named `mspId`.
 * @param {number} index
 * @param {string} mspId
 * @returns {OrgNode}
 */
export function orgNode(index, mspId) {
  const domain = `org${index + 1}.example.com`;
  const peerHostname = `peer0.${domain}`;
  const org = path.join(p.cryptoDir, 'peerOrganizations', domain);
  const ownPeerPort = peerPort + index * orgPortStep;
  const ownChaincodePort = chaincodePort + index * orgPortStep;
  return {
    index,
    mspId,
    domain,
    peerHostname,
    peerPort: ownPeerPort,
    chaincodePort: ownChaincodePort,
    operationsPort: peerOperationsPort + index,
    inspectorPort: inspectorPort + index,
    peerAddress: `${loopback}:${ownPeerPort}`,
    chaincodeAddress: `${loopback}:${ownChaincodePort}`,
    peerData: index === 0 ? p.peerData : path.join(p.dataDir, `peer${index + 1}`),
    peerMsp: path.join(org, 'peers', peerHostname, 'msp'),
    peerTls: path.join(org, 'peers', peerHostname, 'tls'),
    adminMsp: path.join(org, 'users', `Admin@${domain}`, 'msp'),
    userMsp: path.join(org, 'users', `User1@${domain}`, 'msp'),
    clientMsp: path.join(org, 'users', `User2@${domain}`, 'msp'),
  };
}
