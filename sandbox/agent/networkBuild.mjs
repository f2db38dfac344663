// @ts-check
// Builds a network of several orgs (or one org renamed, or another channel):
// its keys and genesis block from the config networkShape.mjs writes, the
// channel created by the first org, every org's anchor peer set (so the
// peers of different orgs gossip: the Gateway's discovery and private data
// need it), every peer joined. Each step is done once; a restart finds it done.
// The image's one-org network is fabric.mjs's generateArtifacts and ensureChannel.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { adminCliEnv, exists, ordererFlags, run } from './fabric.mjs';
import { configtxYaml, cryptoConfigYaml } from './networkShape.mjs';
import * as p from './paths.mjs';

/**
 * @typedef {import('./logs.mjs').LogHub} LogHub
 * @typedef {import('./orgNodes.mjs').OrgNode} OrgNode
 */

/**
 * Writes the config for `nodes`, creates their keys and the orderer's genesis block, once.
 * Dev mode only: everything plaintext, so the orderer org lists no TLS CA certs (see fabric.mjs).
 * @param {LogHub} logs
 * @param {OrgNode[]} nodes
 */
export async function generateNetworkArtifacts(logs, nodes) {
  await fs.mkdir(p.configCopyDir, { recursive: true });
  const cryptoConfig = path.join(p.configCopyDir, 'crypto-config.yaml');
  await fs.writeFile(cryptoConfig, cryptoConfigYaml(nodes));
  await fs.writeFile(path.join(p.configCopyDir, 'configtx.yaml'), configtxYaml(nodes));
  if (!(await exists(path.join(p.cryptoDir, 'peerOrganizations')))) {
    logs.write('sandbox', `Generating fresh keys for ${nodes.map((n) => n.mspId).join(', ')} (cryptogen)`);
    await run('cryptogen', ['generate', `--config=${cryptoConfig}`, `--output=${p.cryptoDir}`], { logs });
    // A Gateway dials another org's peer with TLS whenever that org lists TLS CA certs (as the orderer, see fabric.mjs).
    const orgMsps = [path.join(p.cryptoDir, 'ordererOrganizations', 'example.com', 'msp'), ...nodes.map((node) => path.join(p.cryptoDir, 'peerOrganizations', node.domain, 'msp'))];
    for (const msp of orgMsps) await fs.rm(path.join(msp, 'tlscacerts'), { recursive: true, force: true });
  }
  if (!(await exists(p.genesisBlock))) {
    logs.write('sandbox', 'Creating the orderer genesis block (configtxgen)');
    await run('configtxgen', ['-profile', 'StudioGenesis', '-channelID', 'system-channel', '-outputBlock', p.genesisBlock, '-configPath', p.configCopyDir], { logs });
  }
}

/**
 * Creates `channel` with every org, sets each org's anchor peer, and joins every peer, once.
 * @param {LogHub} logs
 * @param {OrgNode[]} nodes
 * @param {string} channel
 */
export async function ensureNetworkChannel(logs, nodes, channel) {
  const block = path.join(p.dataDir, `${channel}.block`);
  const joined = await Promise.all(
    nodes.map(async (node) => (await run('peer', ['channel', 'list'], { env: adminCliEnv(node), logs })).split('\n').some((line) => line.trim() === channel)),
  );
  if (joined.every(Boolean)) return;
  const [first] = nodes;
  if (first === undefined) throw new Error('a network needs an org');
  if (!(await exists(block))) {
    logs.write('sandbox', `Creating channel ${channel} for ${nodes.map((n) => n.mspId).join(', ')}`);
    const tx = path.join(p.dataDir, `${channel}.tx`);
    await run('configtxgen', ['-profile', 'StudioChannel', '-channelID', channel, '-outputCreateChannelTx', tx, '-configPath', p.configCopyDir], { logs });
    await run('peer', ['channel', 'create', ...ordererFlags(), '-c', channel, '-f', tx, '--outputBlock', block], { env: adminCliEnv(first), logs });
    // One update per org, each computed from the channel as created: they touch different orgs' groups.
    for (const node of nodes) {
      const update = path.join(p.dataDir, `${channel}-${node.mspId}-anchors.tx`);
      await run('configtxgen', ['-profile', 'StudioChannel', '-channelID', channel, '-outputAnchorPeersUpdate', update, '-asOrg', node.mspId, '-configPath', p.configCopyDir], { logs });
      await run('peer', ['channel', 'update', ...ordererFlags(), '-c', channel, '-f', update], { env: adminCliEnv(node), logs });
    }
  }
  logs.write('sandbox', `Joining ${nodes.filter((_, i) => !joined[i]).map((n) => n.peerHostname).join(', ')} to channel ${channel}`);
  await Promise.all(nodes.map((node, i) => (joined[i] ? undefined : run('peer', ['channel', 'join', '-b', block], { env: adminCliEnv(node), logs }))));
}
