/**
 * The network a workspace's chaincode is meant for, kept as `network` in its
 * studio.json: the orgs (one peer each), the channel, the endorsement policy,
 * the collections config file and the state database. Checked here, once for
 * the browser and the server, with one message per bad field; and what a
 * change of settings costs the sandbox (a new definition, or a rebuilt
 * network and its ledger).
 */
import { z } from 'zod';
import { channelNamePattern } from './exportOptions.ts';
import { signaturePolicyProblem } from './signaturePolicy.ts';

/** Orgs a sandbox network may have: each is one peer in the one container. */
export const networkOrgsMin = 1;
export const networkOrgsMax = 3;
/** The channel a sandbox joins when the workspace names none (today's channel). */
export const defaultChannel = 'studio';
/** The state databases Fabric offers; only LevelDB runs here. */
export const stateDatabases = ['leveldb', 'couchdb'] as const;
export type StateDatabase = (typeof stateDatabases)[number];

/** MSP ID of the `index`-th org (0-based) when it is not renamed: Org1MSP, Org2MSP, … */
export function defaultMspId(index: number): string {
  return `Org${index + 1}MSP`;
}

/**
 * An MSP ID this sandbox can make: it is also a principal's prefix in a
 * policy (Fabric's `[[:alnum:].-]+`, without the `.` that would make
 * `'A.B.peer'` ambiguous) and a folder name for the org's keys.
 */
export const mspIdPattern = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;

/** The orgs an invoke asks to endorse (the Gateway's endorsing organizations). */
export const EndorsingOrgs = z.array(z.string().regex(mspIdPattern, 'an MSP ID')).min(1).max(networkOrgsMax);

/** A workspace's network, every field filled in. */
export interface NetworkSettings {
  /** MSP IDs, one org (and one peer) each, in order: the first is Org1's. */
  readonly orgs: readonly string[];
  readonly channel: string;
  /** A signature policy; absent means the channel's default, a majority of the orgs. */
  readonly endorsementPolicy?: string;
  /** A workspace path to a Fabric collections_config.json; absent means no collections. */
  readonly collectionsConfig?: string;
  readonly stateDatabase: 'leveldb';
}

/** Today's sandbox: one org, channel `studio`, the channel's default policy, no collections, LevelDB. */
export const defaultNetworkSettings: NetworkSettings = { orgs: [defaultMspId(0)], channel: defaultChannel, stateDatabase: 'leveldb' };

/** One bad field of the network settings: where (`network.orgs[1]`) and what to do. */
export interface NetworkSettingsIssue {
  readonly path: string;
  readonly message: string;
}

export type NetworkSettingsCheck = { readonly ok: true; readonly settings: NetworkSettings } | { readonly ok: false; readonly issues: readonly NetworkSettingsIssue[] };

/** What CouchDB costs here, in words a user can act on. */
export const couchDbUnavailableMessage =
  'CouchDB is not available here: this machine runs the sandbox with LevelDB only. Choose "leveldb"; contracts that use rich queries (GetQueryResult) need a network with CouchDB, for example the Fabric test network started with `./network.sh up -s couchdb`.';

const fields = ['orgs', 'channel', 'endorsementPolicy', 'collectionsConfig', 'stateDatabase'] as const;
/** Longest workspace path the collections config setting takes. */
const pathMaxChars = 512;

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/**
 * Checks `value` (studio.json's `network`, or undefined for none) and fills in
 * the defaults; every problem is listed, each at its path under `network`.
 */
export function checkNetworkSettings(value: unknown): NetworkSettingsCheck {
  if (value === undefined) return { ok: true, settings: defaultNetworkSettings };
  const issues: NetworkSettingsIssue[] = [];
  const problem = (field: string, message: string) => issues.push({ path: `network${field}`, message });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problem('', `is ${shown(value)}: it must be an object, e.g. { "orgs": ["Org1MSP", "Org2MSP"], "channel": "studio" }`);
    return { ok: false, issues };
  }
  const input = value as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!(fields as readonly string[]).includes(key)) problem(`.${key}`, `is not a network setting (they are ${fields.join(', ')})`);
  }

  let orgs: string[] = [...defaultNetworkSettings.orgs];
  if (input.orgs !== undefined) {
    if (!Array.isArray(input.orgs) || input.orgs.length < networkOrgsMin || input.orgs.length > networkOrgsMax) {
      problem('.orgs', `is ${shown(input.orgs)}: list ${networkOrgsMin} to ${networkOrgsMax} MSP IDs, e.g. ["Org1MSP", "Org2MSP"]`);
    } else {
      orgs = [];
      const seen = new Set<string>();
      input.orgs.forEach((id: unknown, index) => {
        if (typeof id !== 'string' || !mspIdPattern.test(id)) {
          problem(`.orgs[${index}]`, `is ${shown(id)}: an MSP ID is letters, digits and - (at most 64), e.g. "${defaultMspId(index)}"`);
        } else if (seen.has(id.toLowerCase()) || id.toLowerCase() === 'orderermsp') {
          problem(`.orgs[${index}]`, `"${id}" is ${id.toLowerCase() === 'orderermsp' ? "the orderer's MSP ID" : 'listed twice (case does not count)'}: each org needs its own MSP ID`);
        } else {
          seen.add(id.toLowerCase());
          orgs.push(id);
        }
      });
    }
  }

  let channel = defaultChannel;
  if (input.channel !== undefined) {
    if (typeof input.channel !== 'string' || !channelNamePattern.test(input.channel)) {
      problem('.channel', `is ${shown(input.channel)}: a channel name is lowercase letters, digits, . and -, starting with a letter (at most 249), e.g. "mychannel"`);
    } else channel = input.channel;
  }

  let endorsementPolicy: string | undefined;
  if (input.endorsementPolicy !== undefined && input.endorsementPolicy !== '') {
    if (typeof input.endorsementPolicy !== 'string') {
      problem('.endorsementPolicy', `is ${shown(input.endorsementPolicy)}: write a Fabric signature policy as a string, e.g. "AND('Org1MSP.peer','Org2MSP.peer')"`);
    } else {
      // Checked against the orgs only when they are themselves good, so one mistake is named once.
      const policyProblem = signaturePolicyProblem(input.endorsementPolicy, orgs);
      if (policyProblem !== null && !issues.some((i) => i.path.startsWith('network.orgs'))) problem('.endorsementPolicy', policyProblem);
      else endorsementPolicy = input.endorsementPolicy;
    }
  }

  let collectionsConfig: string | undefined;
  if (input.collectionsConfig !== undefined && input.collectionsConfig !== '') {
    const file = input.collectionsConfig;
    if (typeof file !== 'string' || file.length > pathMaxChars || file.startsWith('/') || file.split('/').some((part) => part === '..' || part === '') || !file.endsWith('.json')) {
      problem('.collectionsConfig', `is ${shown(file)}: name a .json file inside the workspace, e.g. "collections_config.json"`);
    } else collectionsConfig = file;
  }

  if (input.stateDatabase !== undefined && input.stateDatabase !== 'leveldb') {
    if (typeof input.stateDatabase === 'string' && input.stateDatabase.toLowerCase() === 'couchdb') problem('.stateDatabase', couchDbUnavailableMessage);
    else problem('.stateDatabase', `is ${shown(input.stateDatabase)}: the state database is "leveldb" (CouchDB is not available here)`);
  }

  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    settings: {
      orgs,
      channel,
      ...(endorsementPolicy !== undefined ? { endorsementPolicy } : {}),
      ...(collectionsConfig !== undefined ? { collectionsConfig } : {}),
      stateDatabase: 'leveldb',
    },
  };
}

/** The settings as a request carries them; the check above runs on them, so the same words come back. */
export const NetworkSettingsParams = z
  .object({
    orgs: z.array(z.string()).max(networkOrgsMax),
    channel: z.string(),
    endorsementPolicy: z.string().optional(),
    collectionsConfig: z.string().optional(),
    stateDatabase: z.string(),
  })
  .strict()
  .superRefine((value, ctx) => {
    const checked = checkNetworkSettings(value);
    if (!checked.ok) for (const issue of checked.issues) ctx.addIssue({ code: 'custom', path: issue.path.replace(/^network\.?/, '').split(/[.[\]]+/).filter(Boolean), message: issue.message });
  });

/** What moving from `before` to `after` costs the sandbox. */
export interface NetworkChange {
  /** The orgs or the channel differ: the sandbox's network is made anew, its ledger with it. */
  readonly rebuild: boolean;
  /** The policy or the collections differ: a new definition (the next sequence), approved by every org; the ledger stays. */
  readonly newDefinition: boolean;
  /** What a rebuild loses, in words for a confirmation; empty when nothing is lost. */
  readonly lost: readonly string[];
}

/** What a change of network settings costs (see {@link NetworkChange}). */
export function networkChange(before: NetworkSettings, after: NetworkSettings): NetworkChange {
  const orgsChanged = before.orgs.length !== after.orgs.length || before.orgs.some((id, i) => after.orgs[i] !== id);
  const rebuild = orgsChanged || before.channel !== after.channel;
  const newDefinition = !rebuild && (before.endorsementPolicy !== after.endorsementPolicy || before.collectionsConfig !== after.collectionsConfig);
  const lost = rebuild
    ? [
        `the ledger of channel "${before.channel}": every block, the world state and private data`,
        `the keys of ${before.orgs.join(', ')} (identities handed to connected clients stop working)`,
      ]
    : [];
  return { rebuild, newDefinition, lost };
}
