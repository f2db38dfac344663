// @ts-check
// The orgs after the first in a network of several: each its own dev-mode
// peer (own ports and ledger dir) and its own chaincode process registered
// with that peer, with its own inspector. Every line they write is tagged
// with their org. The first org's peer and chaincode are main.mjs's, as in
// the one-org sandbox.
import { promises as fs } from 'node:fs';
import { ChaincodeProcess } from './chaincode.mjs';
import { loopback, portWaitTimeoutMs } from './constants.mjs';
import { peerEnv, waitForPort } from './fabric.mjs';
import { Supervised } from './supervisor.mjs';

/**
 * @typedef {import('./orgNodes.mjs').OrgNode} OrgNode
 * @typedef {import('./logs.mjs').LogHub} LogHub
 * @typedef {import('../../protocol/agent.ts').AgentChaincodeInfo} AgentChaincodeInfo
 * @typedef {{ node: OrgNode, peer: Supervised, chaincode: ChaincodeProcess }} ExtraOrg
 */

/** How long another org's chaincode may take to register with its peer. */
const registerTimeoutMs = 30_000;

export class ExtraOrgs {
  #logs;
  #onChange;
  /** @type {ExtraOrg[]} */
  #orgs = [];

  /** @param {{ logs: LogHub, onChange: () => void }} options */
  constructor({ logs, onChange }) {
    this.#logs = logs;
    this.#onChange = onChange;
  }

  /** @returns {readonly ExtraOrg[]} */
  get orgs() {
    return this.#orgs;
  }

  /**
   * Starts a peer for each of `nodes` (the orgs after the first) and waits until each listens.
   * @param {OrgNode[]} nodes
   */
  async startPeers(nodes) {
    this.#orgs = nodes.map((node) => {
      const logs = this.#logs.forOrg(node.mspId);
      /** @type {ExtraOrg} */
      const org = {
        node,
        chaincode: new ChaincodeProcess({ logs, onChange: this.#onChange, peer: node }),
        peer: new Supervised({
          name: 'peer',
          command: 'peer',
          args: ['node', 'start', '--peer-chaincodedev=true'],
          env: peerEnv(node),
          logs,
          onChange: () => {
            if (!org.peer.running) org.chaincode.peerLost();
            this.#onChange();
          },
        }),
      };
      return org;
    });
    for (const { node } of this.#orgs) await fs.mkdir(node.peerData, { recursive: true });
    for (const { peer } of this.#orgs) peer.start();
    await Promise.all(this.#orgs.map(({ node, peer }) => waitForPort(loopback, node.peerPort, portWaitTimeoutMs, () => peer.running)));
  }

  /**
   * (Re)starts every org's chaincode as `definition.packageId`, with its inspector when `debug`
   * (never waiting for a debugger: the server debugs the first org's process), and waits until
   * each has registered with its peer.
   * @param {{ name: string, packageId: string }} definition
   * @param {{ debug: boolean }} options
   */
  async startChaincodes(definition, { debug }) {
    await Promise.all(this.#orgs.map(({ chaincode }) => chaincode.start(definition, { debug, waitForDebugger: false })));
    const deadline = Date.now() + registerTimeoutMs;
    for (const { node, chaincode } of this.#orgs) {
      while (chaincode.info.registered !== true) {
        const { phase } = chaincode.info;
        if (phase !== 'running') throw new Error(`the chaincode of ${node.mspId} ${phase}${chaincode.info.reason ? `: ${chaincode.info.reason}` : ''}`);
        if (Date.now() > deadline) throw new Error(`the chaincode of ${node.mspId} did not register with ${node.peerHostname} in ${registerTimeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
  }

  async stopChaincodes() {
    await Promise.all(this.#orgs.map(({ chaincode }) => chaincode.stop()));
  }

  /** Ends every org's chaincode and peer; the orgs are forgotten. */
  async close() {
    const orgs = this.#orgs;
    this.#orgs = [];
    await Promise.all(orgs.map(({ chaincode }) => chaincode.close()));
    await Promise.all(orgs.map(({ peer }) => peer.stop()));
  }
}
