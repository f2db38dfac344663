// @ts-check
// What a chaincode definition is approved with beyond its name: the
// workspace's endorsement policy and collections. The server has checked
// them against Fabric's rules (protocol/signaturePolicy.ts,
// protocol/collectionsConfig.ts); here only their shape is checked, and the
// collections are written back as Fabric's collections_config.json with the
// known fields alone, so the peer CLI reads exactly what was checked.
import { createHash } from 'node:crypto';
import { HttpError } from './requests.mjs';

/**
 * @typedef {import('../../protocol/agent.ts').AgentDefinitionOptions} AgentDefinitionOptions
 * @typedef {import('../../protocol/collectionsConfig.ts').CollectionConfig} CollectionConfig
 * @typedef {{ endorsementPolicy?: string, collectionsJson?: string, collectionsSha256?: string }} DefinitionShape
 */

const maxCollections = 64;
const maxPolicyChars = 4096;

/**
 * @param {unknown} value
 * @param {string} what
 * @returns {string}
 */
function policyText(value, what) {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxPolicyChars) throw new HttpError(400, `${what} must be a policy string of 1-${maxPolicyChars} characters`);
  return value;
}

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
function isRecord(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * @param {unknown} value
 * @param {number} index
 */
function collectionOf(value, index) {
  const at = `definition.collections[${index}]`;
  if (!isRecord(value)) throw new HttpError(400, `${at} must be an object`);
  const count = (/** @type {unknown} */ n, /** @type {string} */ field) => {
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new HttpError(400, `${at}.${field} must be a whole number`);
    return n;
  };
  const flag = (/** @type {unknown} */ b, /** @type {string} */ field) => {
    if (typeof b !== 'boolean') throw new HttpError(400, `${at}.${field} must be true or false`);
    return b;
  };
  if (typeof value.name !== 'string' || !/^[A-Za-z0-9-][A-Za-z0-9_-]*$/.test(value.name)) throw new HttpError(400, `${at}.name is not a collection name`);
  /** @type {Record<string, unknown>} */
  const collection = {
    name: value.name,
    policy: policyText(value.policy, `${at}.policy`),
    requiredPeerCount: count(value.requiredPeerCount, 'requiredPeerCount'),
    maxPeerCount: count(value.maxPeerCount, 'maxPeerCount'),
    blockToLive: count(value.blockToLive, 'blockToLive'),
    memberOnlyRead: flag(value.memberOnlyRead, 'memberOnlyRead'),
    memberOnlyWrite: flag(value.memberOnlyWrite, 'memberOnlyWrite'),
  };
  const endorsement = value.endorsementPolicy;
  if (endorsement !== undefined) {
    if (!isRecord(endorsement)) throw new HttpError(400, `${at}.endorsementPolicy must be an object`);
    if (endorsement.signaturePolicy !== undefined) collection.endorsementPolicy = { signaturePolicy: policyText(endorsement.signaturePolicy, `${at}.endorsementPolicy.signaturePolicy`) };
    else collection.endorsementPolicy = { channelConfigPolicy: policyText(endorsement.channelConfigPolicy, `${at}.endorsementPolicy.channelConfigPolicy`) };
  }
  return collection;
}

/**
 * The definition shape a request asks for (absent: the channel's default policy, no collections).
 * @param {unknown} value the request's `definition`
 * @returns {DefinitionShape}
 */
export function definitionShape(value) {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw new HttpError(400, 'definition must be an object');
  /** @type {DefinitionShape} */
  const shape = {};
  if (value.endorsementPolicy !== undefined) shape.endorsementPolicy = policyText(value.endorsementPolicy, 'definition.endorsementPolicy');
  if (value.collections !== undefined) {
    if (!Array.isArray(value.collections) || value.collections.length === 0 || value.collections.length > maxCollections) {
      throw new HttpError(400, `definition.collections must list 1-${maxCollections} collections`);
    }
    const json = JSON.stringify(value.collections.map(collectionOf), null, 2);
    shape.collectionsJson = json;
    shape.collectionsSha256 = createHash('sha256').update(json).digest('hex');
  }
  return shape;
}
