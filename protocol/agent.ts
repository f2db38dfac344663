/**
 * The wire protocol between the server and the agent inside a sandbox
 * container (sandbox/agent/main.mjs), declared once: the agent's HTTP replies
 * and the messages of its NDJSON event stream. The server validates every
 * reply and event against these schemas (the sandbox runs user code, so what
 * comes out of it is untrusted); the agent type-checks what it sends against
 * the derived types through JSDoc.
 */
import { z } from 'zod';
import { LogLevel, LogSource } from './messages.ts';
import type { CollectionConfig } from './collectionsConfig.ts';

export const AgentChaincodePhase = z.enum(['stopped', 'stopping', 'running', 'crashed']);
export type AgentChaincodePhase = z.infer<typeof AgentChaincodePhase>;

/** The chaincode process the agent runs (dev mode). */
export const AgentChaincodeInfo = z.object({
  phase: AgentChaincodePhase,
  name: z.string().optional(),
  packageId: z.string().optional(),
  pid: z.number().int().nullable(),
  exitCode: z.number().int().nullable().optional(),
  signal: z.string().nullable().optional(),
  debug: z.boolean().optional(),
  startedAt: z.string().optional(),
  /** Why a crashed process ended, naming the limit it hit when one did (e.g. `killed: sandbox memory limit (768 MB)`). */
  reason: z.string().optional(),
  /** The chaincode's own error text (from its stderr) when it ended before registering with the peer, e.g. `Error: Cannot find module 'x'`. */
  lastError: z.string().max(4000).optional(),
  /** The process has registered with the peer (fabric-shim said so): the peer can now reach it. */
  registered: z.boolean().optional(),
});
export type AgentChaincodeInfo = z.infer<typeof AgentChaincodeInfo>;

const SupervisedInfo = z.object({ running: z.boolean(), restarts: z.number().int() });

/** One org of a network of several: its peer (port and hostname in the container) and its chaincode process. */
export const AgentOrgStatus = z.object({
  mspId: z.string(),
  peerPort: z.number().int().min(1).max(65_535),
  peerHostname: z.string(),
  peer: SupervisedInfo,
  chaincode: AgentChaincodeInfo,
});
export type AgentOrgStatus = z.infer<typeof AgentOrgStatus>;

/** `GET /status`, and the `status` event. */
export const AgentStatus = z.object({
  phase: z.enum(['starting', 'ready', 'error']),
  message: z.string(),
  mode: z.enum(['dev', 'production']),
  fabricVersion: z.string().nullable(),
  channel: z.string(),
  mspId: z.string(),
  orderer: SupervisedInfo,
  peer: SupervisedInfo,
  chaincode: AgentChaincodeInfo,
  /** Every org, the first included, when the network is not the one-org sandbox (absent: one org, `mspId`). */
  orgs: z.array(AgentOrgStatus).min(1).max(3).optional(),
});
export type AgentStatus = z.infer<typeof AgentStatus>;

/** A chaincode definition the agent installed, approved and committed (`POST /chaincode/define`). */
export const ChaincodeDefinition = z.object({
  name: z.string(),
  label: z.string(),
  packageId: z.string(),
  sequence: z.number().int(),
  version: z.string(),
  /** The signature policy the definition was approved with; absent: the channel's default. */
  endorsementPolicy: z.string().optional(),
  /** SHA-256 of the collections config the definition was approved with; absent: no collections. */
  collectionsSha256: z.string().optional(),
});
export type ChaincodeDefinition = z.infer<typeof ChaincodeDefinition>;

/**
 * What a definition is approved with beyond its name: the workspace's
 * endorsement policy and collections, already checked by the server
 * (protocol/signaturePolicy.ts, protocol/collectionsConfig.ts). A change
 * makes the agent approve and commit the next sequence; the ledger stays.
 */
export interface AgentDefinitionOptions {
  endorsementPolicy?: string;
  collections?: CollectionConfig[];
}

/** An org identity: PEM certificate and private key (`GET /identity`, and `GET /client-identity` for the user's own client applications). */
export const AgentIdentity = z.object({ mspId: z.string(), certificate: z.string(), privateKey: z.string() });
export type AgentIdentity = z.infer<typeof AgentIdentity>;

const AgentNode = z.object({ port: z.number().int().min(1).max(65_535), hostname: z.string(), tlsRootCert: z.string() });

/** `GET /connection` (production mode): what a deployer outside the container needs. */
export const AgentConnectionReply = z.object({
  mode: z.literal('production'),
  channel: z.string(),
  mspId: z.string(),
  peer: AgentNode,
  orderer: AgentNode,
  admin: AgentIdentity.extend({ caCert: z.string() }),
  user: AgentIdentity,
});
export type AgentConnectionReply = z.infer<typeof AgentConnectionReply>;

/** `org`: the MSP ID of the org whose peer or chaincode wrote the line, in a network of several orgs. */
export const AgentLogEvent = z.object({ type: z.literal('log'), source: LogSource, time: z.string(), text: z.string(), level: LogLevel.optional(), org: z.string().max(64).optional() });
export type AgentLogEvent = z.infer<typeof AgentLogEvent>;

/** One line of `GET /events` (NDJSON). */
export const AgentEvent = z.discriminatedUnion('type', [
  AgentLogEvent,
  z.object({ type: z.literal('status'), status: AgentStatus }),
  z.object({ type: z.literal('ping') }),
]);
export type AgentEvent = z.infer<typeof AgentEvent>;

/** `GET /logs`. */
export const AgentLogsReply = z.object({ lines: z.array(AgentLogEvent) });
export type AgentLogsReply = z.infer<typeof AgentLogsReply>;

/** `GET /definitions`: the saved definitions by chaincode name. */
export const AgentDefinitionsReply = z.record(z.string(), ChaincodeDefinition);
export type AgentDefinitionsReply = z.infer<typeof AgentDefinitionsReply>;

/** `GET /network`: the channel and, per org, its peer and the client identity the IDE submits as. */
export const AgentNetworkReply = z.object({
  channel: z.string(),
  orgs: z
    .array(z.object({ mspId: z.string(), peerPort: z.number().int().min(1).max(65_535), peerHostname: z.string(), user: AgentIdentity }))
    .min(1)
    .max(3),
});
export type AgentNetworkReply = z.infer<typeof AgentNetworkReply>;

/** `POST /network`: the orgs (MSP IDs, in order) and channel the sandbox's network must have; another shape rebuilds it, ledger lost. */
export interface AgentNetworkRequest {
  orgs: string[];
  channel: string;
}

/** The body of every non-2xx reply. */
export const AgentErrorReply = z.object({ error: z.string() });
export type AgentErrorReply = z.infer<typeof AgentErrorReply>;

/** `POST /chaincode/define`. */
export interface AgentDefineRequest {
  name: string;
  definition?: AgentDefinitionOptions;
}

/**
 * `POST /chaincode/start`: `debug` defaults to true (the inspector); `waitForDebugger` (default
 * true) pauses before the first line until a debugger attaches. Without it the process loads and
 * registers while the debugger attaches: for when there is no breakpoint to stop at yet.
 */
export interface AgentStartRequest {
  name: string;
  definition?: AgentDefinitionOptions;
  debug?: boolean;
  waitForDebugger?: boolean;
}

/** The reply schema of each agent route, keyed `METHOD /path` as the agent's router is. */
export const agentReplies = {
  'GET /status': AgentStatus,
  /** The container's memory use (cgroup), for a driver whose engine does not report it. */
  'GET /memory': z.object({ usedBytes: z.number().nonnegative().nullable() }),
  'GET /identity': AgentIdentity,
  'GET /client-identity': AgentIdentity,
  'GET /connection': AgentConnectionReply,
  'GET /logs': AgentLogsReply,
  'GET /definitions': AgentDefinitionsReply,
  'GET /network': AgentNetworkReply,
  'POST /network': AgentStatus,
  'POST /chaincode/define': ChaincodeDefinition,
  'POST /chaincode/start': AgentChaincodeInfo,
  'POST /chaincode/stop': AgentChaincodeInfo,
} as const;
export type AgentRoute = keyof typeof agentReplies;
/** The reply type of an agent route. */
export type AgentReply<R extends AgentRoute> = z.infer<(typeof agentReplies)[R]>;
