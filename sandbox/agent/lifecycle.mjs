// @ts-check
// Chaincode definitions. In dev mode the peer never launches chaincode, but the
// Gateway only endorses on peers that advertise the chaincode, which a peer does
// for an installed *and* approved package. So, once per chaincode name, we
// install a tiny chaincode-as-a-service package, approve and commit its
// definition, and the dev-mode process registers under that package's ID.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { adminCliEnv, ordererAddress, run } from './fabric.mjs';
import { current } from './networkShape.mjs';
import * as p from './paths.mjs';

/**
 * @typedef {import('../../protocol/agent.ts').ChaincodeDefinition} ChaincodeDefinition
 * @typedef {{ definitions: Record<string, ChaincodeDefinition> }} State
 * @typedef {import('./logs.mjs').LogHub} LogHub
 * @typedef {import('./definitionOptions.mjs').DefinitionShape} DefinitionShape
 */

const exec = promisify(execFile);
/** The ccaas package's address: in dev mode the chaincode registers itself, and the peer dials this (and fails) only when asked for a chaincode that has not registered yet, which the server waits out. It must parse. */
const placeholderAddress = '127.0.0.1:9999';

/** @returns {Promise<State>} the definitions saved on the ledger disk */
export async function readState() {
  try {
    return JSON.parse(await fs.readFile(p.stateFile, 'utf8'));
  } catch {
    return { definitions: {} };
  }
}

/** @param {State} state */
async function writeState(state) {
  const tmp = `${p.stateFile}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(state, null, 2));
  await fs.rename(tmp, p.stateFile);
}

/**
 * Fabric's label rule.
 * @param {string} label
 */
export function isValidLabel(label) {
  return /^[A-Za-z0-9][A-Za-z0-9_.+-]*$/.test(label);
}

/**
 * @param {string} name
 * @param {string} label
 */
async function buildPackage(name, label) {
  const dir = await fs.mkdtemp(path.join(p.scratchDir, `pkg-${name}-`));
  await fs.writeFile(path.join(dir, 'metadata.json'), JSON.stringify({ type: 'ccaas', label }));
  await fs.writeFile(path.join(dir, 'connection.json'), JSON.stringify({ address: placeholderAddress, dial_timeout: '10s', tls_required: false }));
  await exec('tar', ['-czf', 'code.tar.gz', 'connection.json'], { cwd: dir });
  await exec('tar', ['-czf', 'package.tar.gz', 'metadata.json', 'code.tar.gz'], { cwd: dir });
  return path.join(dir, 'package.tar.gz');
}

/** The latest definition under way per name; a later call waits for it. @type {Map<string, Promise<ChaincodeDefinition>>} */
const defining = new Map();

/**
 * Installs, approves and commits `name` once; later calls return the saved definition, unless
 * `shape` (policy, collections) differs from the one it was approved with: then the next sequence
 * is approved and committed with the new shape, on the same package, keeping the ledger.
 * Calls for one name run one after another.
 * @param {string} name
 * @param {LogHub} logs
 * @param {DefinitionShape} [shape]
 * @returns {Promise<ChaincodeDefinition>}
 */
export function defineChaincode(name, logs, shape = {}) {
  return startDefining(name, logs, shape).definition;
}

/**
 * {@link defineChaincode}, and the package ID as soon as it is known: before the install, approval
 * and commit are done, so a dev-mode chaincode can load and register meanwhile (the peer takes a
 * registration before the definition exists; it routes no transaction to it before).
 * @param {string} name
 * @param {LogHub} logs
 * @param {DefinitionShape} [shape]
 */
export function startDefining(name, logs, shape = {}) {
  /** @type {(id: string) => void} */
  let known = () => undefined;
  const early = new Promise((resolve) => (known = resolve));
  const previous = defining.get(name);
  const definition = (previous ? previous.catch(() => undefined) : Promise.resolve()).then(() => doDefine(name, logs, shape, known));
  defining.set(name, definition);
  void definition
    .finally(() => {
      if (defining.get(name) === definition) defining.delete(name);
    })
    .catch(() => undefined);
  const packageId = Promise.race([early, definition.then((d) => d.packageId)]);
  // Whoever waits for the definition hears of its failure; this one may have no reader.
  packageId.catch(() => undefined);
  return { definition, packageId };
}

/**
 * Whether a saved definition was approved with `shape` (one saved by an older agent has neither field).
 * @param {ChaincodeDefinition} definition
 * @param {DefinitionShape} shape
 */
function sameShape(definition, shape) {
  return definition.endorsementPolicy === shape.endorsementPolicy && definition.collectionsSha256 === shape.collectionsSha256;
}

/**
 * @param {string} name
 * @param {LogHub} logs
 * @param {DefinitionShape} shape
 * @param {(packageId: string) => void} packageIdKnown
 * @returns {Promise<ChaincodeDefinition>}
 */
async function doDefine(name, logs, shape, packageIdKnown) {
  const state = await readState();
  const existing = state.definitions[name];
  if (existing && sameShape(existing, shape)) return existing;

  // Every org installs the package and approves the definition; the first org commits it on every peer.
  const { nodes, shape: network } = current;
  const channel = network.channel;
  const env = adminCliEnv(nodes[0]);
  const started = Date.now();
  const label = existing?.label ?? `${name}_studio`;
  /** @type {string | undefined} */
  let pkg;
  let packageId = existing?.packageId;
  if (packageId === undefined) {
    pkg = await buildPackage(name, label);
    // Fabric's package ID (what `peer lifecycle chaincode calculatepackageid` prints), without a CLI run.
    packageId = `${label}:${createHash('sha256').update(await fs.readFile(pkg)).digest('hex')}`;
    packageIdKnown(packageId);
    logs.write('sandbox', `Installing package ${packageId}`);
    const install = async (/** @type {Record<string, string>} */ orgEnv) => {
      try {
        await run('peer', ['lifecycle', 'chaincode', 'install', String(pkg)], { env: orgEnv });
      } catch (err) {
        if (!/already successfully installed/.test(err instanceof Error ? err.message : String(err))) throw err;
      }
    };
    await Promise.all(nodes.map((node) => install(adminCliEnv(node))));
  } else {
    packageIdKnown(packageId);
  }
  const installed = Date.now();
  /** @type {number} */
  let approved;
  /** @type {string | undefined} */
  let collectionsFile;
  if (shape.collectionsJson !== undefined) {
    collectionsFile = path.join(await fs.mkdtemp(path.join(p.scratchDir, `collections-${name}-`)), 'collections_config.json');
    await fs.writeFile(collectionsFile, shape.collectionsJson);
  }
  const shapeFlags = [
    ...(shape.endorsementPolicy !== undefined ? ['--signature-policy', shape.endorsementPolicy] : []),
    ...(collectionsFile !== undefined ? ['--collections-config', collectionsFile] : []),
  ];

  // A name the saved state does not know is new to this ledger (sequence 1), and a known one moves
  // to the next sequence, unless an earlier agent stopped between a commit and saving the state:
  // then the approval is refused and the ledger says which sequence is committed.
  let sequence = existing ? existing.sequence + 1 : 1;
  const common = () => ['--channelID', channel, '--name', name, '--version', '1', '--sequence', String(sequence), ...shapeFlags, '-o', ordererAddress];
  const approve = () =>
    Promise.all(nodes.map((node) => run('peer', ['lifecycle', 'chaincode', 'approveformyorg', ...common(), '--package-id', String(packageId), '--waitForEvent'], { env: adminCliEnv(node) })));
  logs.write('sandbox', existing ? `Approving and committing chaincode ${name} sequence ${sequence} (new endorsement policy or collections; the ledger stays)` : `Approving and committing chaincode ${name}`);
  try {
    try {
      await approve();
    } catch (err) {
      const next = (await committedSequence(name, channel, env, logs)) + 1;
      if (next === sequence) throw err;
      sequence = next;
      await approve();
    }
    approved = Date.now();
    const peers = nodes.flatMap((node) => ['--peerAddresses', node.peerAddress]);
    await run('peer', ['lifecycle', 'chaincode', 'commit', ...common(), ...peers, '--waitForEvent'], { env, logs });
  } finally {
    if (collectionsFile !== undefined) await fs.rm(path.dirname(collectionsFile), { recursive: true, force: true });
  }

  const committed = Date.now();
  logs.write('sandbox', `Chaincode ${name} defined in ${committed - started} ms (install ${installed - started} ms, approve ${approved - installed} ms, commit ${committed - approved} ms)`);

  /** @type {ChaincodeDefinition} */
  const definition = {
    name,
    label,
    packageId,
    sequence,
    version: '1',
    ...(shape.endorsementPolicy !== undefined ? { endorsementPolicy: shape.endorsementPolicy } : {}),
    ...(shape.collectionsSha256 !== undefined ? { collectionsSha256: shape.collectionsSha256 } : {}),
  };
  const latest = await readState();
  latest.definitions[name] = definition;
  await writeState(latest);
  if (pkg !== undefined) await fs.rm(path.dirname(pkg), { recursive: true, force: true });
  return definition;
}

/**
 * @param {string} name
 * @param {string} channel
 * @param {Record<string, string>} env
 * @param {LogHub} logs
 */
async function committedSequence(name, channel, env, logs) {
  try {
    const out = await run('peer', ['lifecycle', 'chaincode', 'querycommitted', '--channelID', channel, '--name', name, '--output', 'json'], { env });
    return Number(JSON.parse(out).sequence ?? 0);
  } catch {
    logs.write('sandbox', `Chaincode ${name} is not yet defined on channel ${channel}`);
    return 0;
  }
}
