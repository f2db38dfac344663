// @ts-check
// The shape of the sandbox's network: its orgs (one peer each) and channel.
// The one-org shape on the image's channel is today's sandbox, built from the
// image's own configtx.yaml and crypto-config.yaml; any other shape gets both
// written here, for its orgs, each with its peer as anchor peer (so gossip
// finds the other orgs' peers: discovery for the Gateway, private data).
// The shape is kept on the ledger disk (network.json) beside what it made.
import { promises as fs } from 'node:fs';
import { channel as imageChannel, mspId as firstMspId } from './constants.mjs';
import { orgNode } from './orgNodes.mjs';
import * as p from './paths.mjs';
import { HttpError } from './requests.mjs';

/**
 * @typedef {{ orgs: string[], channel: string }} NetworkShape
 * @typedef {import('./orgNodes.mjs').OrgNode} OrgNode
 */

export const maxOrgs = 3;
const mspIdPattern = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;
const channelPattern = /^[a-z][a-z0-9.-]{0,248}$/;

/** @type {NetworkShape} */
export const defaultShape = { orgs: [firstMspId], channel: imageChannel };

/**
 * The network the agent runs now: lifecycle and routes read it at call time, main.mjs sets it.
 * @type {{ shape: NetworkShape, nodes: OrgNode[] }}
 */
export const current = { shape: defaultShape, nodes: nodesOf(defaultShape) };

/** @param {NetworkShape} shape */
export function setCurrent(shape) {
  current.shape = shape;
  current.nodes = nodesOf(shape);
}

/** @param {NetworkShape} shape */
export function isDefaultShape(shape) {
  return shape.orgs.length === 1 && shape.orgs[0] === firstMspId && shape.channel === imageChannel;
}

/**
 * @param {NetworkShape} a
 * @param {NetworkShape} b
 */
export function sameShape(a, b) {
  return a.channel === b.channel && a.orgs.length === b.orgs.length && a.orgs.every((org, i) => org === b.orgs[i]);
}

/**
 * The shape a request asks for (`POST /network`), checked.
 * @param {Record<string, unknown>} body
 * @returns {NetworkShape}
 */
export function requestedShape(body) {
  const { orgs, channel } = body;
  if (!Array.isArray(orgs) || orgs.length < 1 || orgs.length > maxOrgs) throw new HttpError(400, `orgs must list 1-${maxOrgs} MSP IDs`);
  for (const org of orgs) if (typeof org !== 'string' || !mspIdPattern.test(org)) throw new HttpError(400, `orgs: ${JSON.stringify(org)} is not an MSP ID`);
  if (new Set(orgs).size !== orgs.length) throw new HttpError(400, 'orgs: an MSP ID is listed twice');
  if (typeof channel !== 'string' || !channelPattern.test(channel)) throw new HttpError(400, `channel: ${JSON.stringify(channel)} is not a channel name`);
  return { orgs: /** @type {string[]} */ (orgs), channel };
}

/** The shape the ledger disk was built for (the default for a fresh disk, or one built before shapes were kept). */
export async function readShape() {
  try {
    const saved = JSON.parse(await fs.readFile(p.networkFile, 'utf8'));
    return requestedShape(saved);
  } catch {
    return defaultShape;
  }
}

/** @param {NetworkShape} shape */
export async function writeShape(shape) {
  const tmp = `${p.networkFile}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(shape));
  await fs.rename(tmp, p.networkFile);
}

/**
 * The org nodes of `shape`, in order.
 * @param {NetworkShape} shape
 * @returns {OrgNode[]}
 */
export function nodesOf(shape) {
  return shape.orgs.map((mspId, index) => orgNode(index, mspId));
}

/**
 * cryptogen's config for `nodes`: as the image's, one peer org per node.
 * @param {OrgNode[]} nodes
 */
export function cryptoConfigYaml(nodes) {
  const peerOrgs = nodes
    .map((node) => [`  - Name: Org${node.index + 1}`, `    Domain: ${node.domain}`, '    EnableNodeOUs: true', '    Template:', '      Count: 1', '      SANS: [localhost, 127.0.0.1]', '    Users:', '      Count: 2'].join('\n'))
    .join('\n');
  return `OrdererOrgs:
  - Name: Orderer
    Domain: example.com
    EnableNodeOUs: true
    Specs:
      - Hostname: orderer
        SANS: [localhost, 127.0.0.1]
PeerOrgs:
${peerOrgs}
`;
}

/**
 * configtxgen's config for `nodes`: the image's configtx.yaml (solo orderer, its policies and
 * batch settings) with every org in the consortium and the channel, each with its anchor peer.
 * @param {OrgNode[]} nodes
 */
export function configtxYaml(nodes) {
  const rule = (/** @type {string} */ text) => `{ Type: Signature, Rule: "${text}" }`;
  const orgs = nodes
    .map((node) => {
      const m = node.mspId;
      return `  - &${anchorName(node)}
    Name: ${m}
    ID: ${m}
    MSPDir: ../crypto/peerOrganizations/${node.domain}/msp
    Policies:
      Readers: ${rule(`OR('${m}.admin', '${m}.peer', '${m}.client')`)}
      Writers: ${rule(`OR('${m}.admin', '${m}.client')`)}
      Admins: ${rule(`OR('${m}.admin')`)}
      Endorsement: ${rule(`OR('${m}.peer')`)}
    AnchorPeers:
      - Host: 127.0.0.1
        Port: ${node.peerPort}`;
    })
    .join('\n');
  const list = (/** @type {string} */ indent) => nodes.map((node) => `${indent}- *${anchorName(node)}`).join('\n');
  return `Organizations:
  - &OrdererOrg
    Name: OrdererOrg
    ID: OrdererMSP
    MSPDir: ../crypto/ordererOrganizations/example.com/msp
    Policies:
      Readers: ${rule("OR('OrdererMSP.member')")}
      Writers: ${rule("OR('OrdererMSP.member')")}
      Admins: ${rule("OR('OrdererMSP.admin')")}
    OrdererEndpoints:
      - 127.0.0.1:7050
${orgs}

Capabilities:
  Channel: &ChannelCapabilities
    V2_0: true
  Orderer: &OrdererCapabilities
    V2_0: true
  Application: &ApplicationCapabilities
    V2_5: true

Application: &ApplicationDefaults
  Organizations:
  Policies:
    Readers: { Type: ImplicitMeta, Rule: "ANY Readers" }
    Writers: { Type: ImplicitMeta, Rule: "ANY Writers" }
    Admins: { Type: ImplicitMeta, Rule: "MAJORITY Admins" }
    LifecycleEndorsement: { Type: ImplicitMeta, Rule: "MAJORITY Endorsement" }
    Endorsement: { Type: ImplicitMeta, Rule: "MAJORITY Endorsement" }
  Capabilities:
    <<: *ApplicationCapabilities

Orderer: &OrdererDefaults
  OrdererType: solo
  Addresses:
    - 127.0.0.1:7050
  BatchTimeout: 5ms
  BatchSize:
    MaxMessageCount: 10
    AbsoluteMaxBytes: 10 MB
    PreferredMaxBytes: 2 MB
  Organizations:
  Policies:
    Readers: { Type: ImplicitMeta, Rule: "ANY Readers" }
    Writers: { Type: ImplicitMeta, Rule: "ANY Writers" }
    Admins: { Type: ImplicitMeta, Rule: "MAJORITY Admins" }
    BlockValidation: { Type: ImplicitMeta, Rule: "ANY Writers" }

Channel: &ChannelDefaults
  Policies:
    Readers: { Type: ImplicitMeta, Rule: "ANY Readers" }
    Writers: { Type: ImplicitMeta, Rule: "ANY Writers" }
    Admins: { Type: ImplicitMeta, Rule: "MAJORITY Admins" }
  Capabilities:
    <<: *ChannelCapabilities

Profiles:
  StudioGenesis:
    <<: *ChannelDefaults
    Orderer:
      <<: *OrdererDefaults
      Organizations:
        - *OrdererOrg
      Capabilities:
        <<: *OrdererCapabilities
    Consortiums:
      StudioConsortium:
        Organizations:
${list('          ')}
  StudioChannel:
    Consortium: StudioConsortium
    <<: *ChannelDefaults
    Application:
      <<: *ApplicationDefaults
      Organizations:
${list('        ')}
      Capabilities:
        <<: *ApplicationCapabilities
`;
}

/** @param {OrgNode} node */
function anchorName(node) {
  return `Org${node.index + 1}`;
}
