/**
 * Fabric's `collections_config.json` (what `peer lifecycle chaincode
 * approveformyorg --collections-config` reads), checked against the rules the
 * peer applies when a definition is approved, so a bad file is named field by
 * field before any Fabric call: names, member policies, peer counts,
 * `blockToLive`, `memberOnlyRead`/`memberOnlyWrite`, and a collection's own
 * `endorsementPolicy`.
 */
import { isOrConcatenation, parseSignaturePolicy, policyPrincipals, signaturePolicyProblem } from './signaturePolicy.ts';

/** A collection's endorsement policy: a signature policy, or the name of a channel policy. */
export type CollectionEndorsementPolicy = { readonly signaturePolicy: string } | { readonly channelConfigPolicy: string };

/** One collection, with Fabric's defaults filled in. */
export interface CollectionConfig {
  readonly name: string;
  readonly policy: string;
  readonly requiredPeerCount: number;
  readonly maxPeerCount: number;
  readonly blockToLive: number;
  readonly memberOnlyRead: boolean;
  readonly memberOnlyWrite: boolean;
  readonly endorsementPolicy?: CollectionEndorsementPolicy;
}

/** One problem of a collections config: where (`[0].maxPeerCount`) and what to do. */
export interface CollectionsConfigIssue {
  readonly path: string;
  readonly message: string;
}

export type CollectionsConfigCheck =
  | { readonly ok: true; readonly collections: readonly CollectionConfig[] }
  | { readonly ok: false; readonly issues: readonly CollectionsConfigIssue[] };

/** Fabric's rule for collection names (`lifecycle.collectionNameRegExp`): letters, digits, _ and -, not starting with _. */
export const collectionNamePattern = /^[A-Za-z0-9-][A-Za-z0-9_-]*$/;
/** The channel policies a collection's `channelConfigPolicy` may name, in the sandbox's channel. */
export const channelPolicyNames = ['Readers', 'Writers', 'Admins', 'Endorsement', 'LifecycleEndorsement'] as const;
/** Most collections one definition may list here; far more than a contract uses. */
export const collectionsMax = 64;

const fields = ['name', 'policy', 'requiredPeerCount', 'maxPeerCount', 'blockToLive', 'memberOnlyRead', 'memberOnlyWrite', 'endorsementPolicy'] as const;
// Fabric reads the peer counts into int32.
const int32Max = 2 ** 31 - 1;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** Checks one entry; pushes its issues and answers the collection when it has none. */
function checkCollection(entry: unknown, at: string, mspIds: readonly string[], issues: CollectionsConfigIssue[]): CollectionConfig | undefined {
  const before = issues.length;
  const problem = (field: string, message: string) => issues.push({ path: `${at}${field ? `.${field}` : ''}`, message });
  if (!isRecord(entry)) {
    problem('', `is ${shown(entry)}: each collection is an object such as { "name": "private", "policy": "OR('Org1MSP.member')", "requiredPeerCount": 0, "maxPeerCount": 1 }`);
    return undefined;
  }
  for (const key of Object.keys(entry)) {
    if (!(fields as readonly string[]).includes(key)) problem(key, `is not a field of a Fabric collection (the fields are ${fields.join(', ')})`);
  }

  const { name, policy } = entry;
  if (typeof name !== 'string' || name.length === 0) problem('name', 'is missing: give the collection a name, e.g. "private"');
  else if (!collectionNamePattern.test(name)) problem('name', `"${shown(name).slice(1, -1)}" is not a collection name Fabric accepts: use letters, digits, _ and -, not starting with _`);

  if (typeof policy !== 'string') {
    problem('policy', "is missing: name the orgs that hold the data, e.g. \"OR('Org1MSP.member','Org2MSP.member')\"");
  } else {
    const policyProblem = signaturePolicyProblem(policy, mspIds);
    const parsed = parseSignaturePolicy(policy);
    if (policyProblem !== null) problem('policy', policyProblem);
    else if (parsed.ok && !isOrConcatenation(parsed.policy)) {
      problem('policy', "must be satisfied by any one member (OR of principals, e.g. \"OR('Org1MSP.member','Org2MSP.member')\"): Fabric refuses AND or OutOf(n>1) here");
    }
  }

  // Fabric's defaults when a count is left out: requiredPeerCount 0, maxPeerCount 1, blockToLive 0 (kept for ever).
  const count = (field: 'requiredPeerCount' | 'maxPeerCount' | 'blockToLive'): number => {
    const value = entry[field];
    if (value === undefined || value === null) return field === 'maxPeerCount' ? 1 : 0;
    const max = field === 'blockToLive' ? Number.MAX_SAFE_INTEGER : int32Max;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
      problem(field, `is ${shown(value)}: it must be a whole number from 0 to ${max}`);
      return 0;
    }
    return value;
  };
  const requiredPeerCount = count('requiredPeerCount');
  const maxPeerCount = count('maxPeerCount');
  const blockToLive = count('blockToLive');
  if (maxPeerCount < requiredPeerCount) {
    problem('maxPeerCount', `is ${maxPeerCount}, less than requiredPeerCount (${requiredPeerCount}): Fabric needs maxPeerCount ≥ requiredPeerCount`);
  }
  if (typeof policy === 'string') {
    const parsed = parseSignaturePolicy(policy);
    const members = parsed.ok ? new Set(policyPrincipals(parsed.policy).map((p) => p.mspId)).size : 0;
    // One peer an org here: a count above the member orgs' peers can never be met, and every endorsement would fail.
    if (members > 0 && requiredPeerCount > members) {
      problem('requiredPeerCount', `is ${requiredPeerCount}, but the policy's ${members} member org${members === 1 ? ' has' : 's have'} one peer each here: use at most ${members}`);
    }
  }

  const flag = (field: 'memberOnlyRead' | 'memberOnlyWrite'): boolean => {
    const value = entry[field];
    if (value === undefined) return false;
    if (typeof value !== 'boolean') {
      problem(field, `is ${shown(value)}: it must be true or false`);
      return false;
    }
    return value;
  };
  const memberOnlyRead = flag('memberOnlyRead');
  const memberOnlyWrite = flag('memberOnlyWrite');

  let endorsementPolicy: CollectionEndorsementPolicy | undefined;
  const endorsement = entry.endorsementPolicy;
  if (endorsement !== undefined && endorsement !== null) {
    const signature = isRecord(endorsement) ? endorsement.signaturePolicy : undefined;
    const channelPolicy = isRecord(endorsement) ? endorsement.channelConfigPolicy : undefined;
    const hasSignature = signature !== undefined && signature !== '';
    const hasChannel = channelPolicy !== undefined && channelPolicy !== '';
    const unknown = isRecord(endorsement) ? Object.keys(endorsement).filter((k) => k !== 'signaturePolicy' && k !== 'channelConfigPolicy') : [];
    for (const key of unknown) problem(`endorsementPolicy.${key}`, 'is not a field of an endorsement policy (they are signaturePolicy, channelConfigPolicy)');
    // An empty endorsementPolicy is Fabric's "none": the chaincode's own policy applies.
    if (!isRecord(endorsement) || (hasSignature && hasChannel)) {
      problem('endorsementPolicy', 'must hold exactly one of "signaturePolicy" (e.g. "AND(\'Org1MSP.peer\',\'Org2MSP.peer\')") or "channelConfigPolicy" (e.g. "/Channel/Application/Endorsement")');
    } else if (hasSignature) {
      const signatureProblem = typeof signature === 'string' ? signaturePolicyProblem(signature, mspIds) : 'must be a string';
      if (signatureProblem !== null) problem('endorsementPolicy.signaturePolicy', signatureProblem);
      else endorsementPolicy = { signaturePolicy: signature as string };
    } else if (hasChannel) {
      const policyName = typeof channelPolicy === 'string' ? channelPolicy.replace(/^\/Channel\/Application\//, '') : '';
      if (!(channelPolicyNames as readonly string[]).includes(policyName)) {
        problem('endorsementPolicy.channelConfigPolicy', `is ${shown(channelPolicy)}: the channel's policies are ${channelPolicyNames.map((n) => `/Channel/Application/${n}`).join(', ')}`);
      } else endorsementPolicy = { channelConfigPolicy: channelPolicy as string };
    }
  }

  if (issues.length > before) return undefined;
  return {
    name: name as string,
    policy: policy as string,
    requiredPeerCount,
    maxPeerCount,
    blockToLive,
    memberOnlyRead,
    memberOnlyWrite,
    ...(endorsementPolicy ? { endorsementPolicy } : {}),
  };
}

/**
 * Checks a parsed collections config against Fabric's format and the
 * network's orgs `mspIds`; every problem is listed, each at its path.
 */
export function checkCollectionsConfig(value: unknown, mspIds: readonly string[]): CollectionsConfigCheck {
  if (!Array.isArray(value)) {
    return { ok: false, issues: [{ path: '', message: 'must be a JSON array of collections, e.g. [{ "name": "private", "policy": "OR(\'Org1MSP.member\')", "requiredPeerCount": 0, "maxPeerCount": 1 }]' }] };
  }
  if (value.length === 0) return { ok: false, issues: [{ path: '', message: 'lists no collections: add one, or remove the collections config setting' }] };
  if (value.length > collectionsMax) return { ok: false, issues: [{ path: '', message: `lists ${value.length} collections; at most ${collectionsMax} are accepted here` }] };
  const issues: CollectionsConfigIssue[] = [];
  const collections: CollectionConfig[] = [];
  const seen = new Set<string>();
  value.forEach((entry: unknown, index) => {
    const collection = checkCollection(entry, `[${index}]`, mspIds, issues);
    const name = isRecord(entry) ? entry.name : undefined;
    if (typeof name === 'string' && seen.has(name)) issues.push({ path: `[${index}].name`, message: `"${name}" is defined twice: collection names must be unique` });
    if (typeof name === 'string') seen.add(name);
    if (collection) collections.push(collection);
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, collections };
}
