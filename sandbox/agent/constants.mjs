// @ts-check
// Every port, name, uid, timeout and limit of the agent, in one place, with
// units in the names. Paths are in paths.mjs. The server's side of the same
// values (agent port, channel, MSP id, uids) is server/config.ts (constants.test.ts
// checks they agree); the uids
// reach the container through the image's environment.

const env = process.env;

/** The agent's HTTP port, on the sandbox's private bridge. */
export const agentPort = Number(env.STUDIO_AGENT_PORT ?? 7000);
export const ordererPort = 7050;
export const peerPort = 7051;
/** The peer's chaincode port: dev-mode chaincode registers here. */
export const chaincodePort = 7052;
export const ordererAdminPort = 7053;
export const ordererOperationsPort = 8443;
export const peerOperationsPort = 9443;
/** The chaincode's V8 inspector, on the container's loopback only. */
export const inspectorPort = 9229;
/** Delve's headless server (Go chaincode), on the container's loopback only. */
export const delvePort = 2345;
export const loopback = '127.0.0.1';

export const channel = env.STUDIO_CHANNEL ?? 'studio';
export const mspId = 'Org1MSP';
export const ordererMspId = 'OrdererMSP';
/** The names in the TLS certificates that a client dialling the container's IP checks against. */
export const peerHostname = 'peer0.org1.example.com';
export const ordererHostname = 'orderer.example.com';

/** The agent, orderer and peer run as this uid; the user's chaincode as `chaincodeUid`. */
export const sandboxUid = Number(env.STUDIO_SANDBOX_UID ?? 1_900_000_000);
export const chaincodeUid = Number(env.STUDIO_CHAINCODE_UID ?? sandboxUid + 1);
/** The capabilities the launcher hands the agent (to start the chaincode under its uid and end it); nothing below the agent keeps them. */
export const agentCapabilities = ['setuid', 'setgid', 'kill'];
/** The file descriptor on which the launcher hands the agent its token (never the environment). */
export const tokenFd = 3;
/** A token shorter than this is refused. */
export const minTokenChars = 16;

/** A transaction paused at a breakpoint must not time out while someone debugs it (a Go duration). */
export const chaincodeExecuteTimeout = '900s';
/** Install runs the external builder: a golang package compiles here, a first one from cold caches on one CPU (Fabric's own default). */
export const chaincodeInstallTimeout = '300s';
export const gatewayBroadcastTimeout = '60s';
/**
 * How long the peer's gossip batches messages before sending them (core.yaml
 * `peer.gossip.maxPropagationBurstLatency`). Fabric's 10 ms default is a ticker that wakes the
 * peer 100 times a second for ever; with no other peer to gossip with, that was nearly all an
 * idle peer's CPU (bench: idleSandboxCpuMillicores). Gossip's other timers (alive, pull, state
 * info, membership, reconciliation: 1 s to 1 min) cost no measurable CPU; all but the one below keep their defaults.
 */
export const gossipBurstLatency = '1s';
/**
 * How often a peer checks whether to announce a change of its channel state (core.yaml
 * `peer.gossip.publishStateInfoInterval`, 4 s by default): the chaincodes it runs, which the other
 * orgs' Gateways need before they ask it to endorse. With several orgs, a Run waits for that
 * (server/session/endorsersReady.ts); the check is an atomic read, nothing is sent without a change.
 */
export const gossipStateInfoInterval = '250ms';
/** How long orderer and peer may take to listen after they start. */
export const portWaitTimeoutMs = 30_000;
export const portPollMs = 25;
/** How long one Fabric CLI command may run. */
export const fabricCommandTimeoutMs = 60_000;
/** Output of a Fabric CLI command kept for its error message. */
export const fabricOutputMaxChars = 200_000;
/** A supervised process that does not stop on SIGTERM is killed after this. */
export const stopGraceMs = 5000;
export const maxRestartBackoffMs = 10_000;
export const inspectorTargetTimeoutMs = 2000;
/** The event stream sends a ping this often, so a dead connection shows. */
export const eventPingIntervalMs = 15_000;
/** A reader of the event stream that falls this far behind loses lines rather than growing our memory. */
export const maxEventBacklogBytes = 4 * 1024 * 1024;
/** Largest request body the agent reads. */
export const maxRequestBodyBytes = 64 * 1024;

/** V8's old-space cap for the chaincode: a memory bomb hits this before the container limit. */
export const chaincodeHeapLimitMb = Number(env.STUDIO_CHAINCODE_HEAP_MB ?? 256);
/** Under memory pressure the kernel should kill the user's code, not the peer. */
export const chaincodeOomScoreAdj = 1000;

/** Lines kept per source for a reader that connects later. */
export const logHistoryLines = 2000;
export const maxLogLinesPerSecond = 500;
export const maxLogLineChars = 4000;

/** A disk counts as full from this share of its blocks on. */
export const diskFullRatio = 0.95;
/** The chaincode is reported as spinning after this many seconds at its full CPU quota. */
export const spinReportSeconds = 10;
/** Share of wall time the chaincode's main thread must want the CPU (running or queued) to count as spinning. */
export const spinShare = 0.9;
export const limitPollMs = 1000;

/** Stderr lines of the chaincode kept to say, when it ends before registering, what went wrong. */
export const chaincodeStderrTailLines = 50;
/** The chaincode's own error text in the agent's status is cut to this length. */
export const chaincodeErrorMaxChars = 2000;
/** Fabric's default chaincode log format (core.yaml `chaincode.logging.format`), passed on as the peer does. */
export const chaincodeLoggingFormat = '%{color}%{time:2006-01-02 15:04:05.000 MST} [%{module}] %{shortfunc} -> %{level:.4s} %{id:03x}%{color:reset} %{message}';
/** After a chaincode registers, the next standby process starts loading this much later (see chaincodeStandby.mjs). */
export const standbySpawnDelayMs = 200;
/** Standby processes kept loaded: one restart takes one while the one it leaves behind loads. */
export const standbyProcessCount = 2;
/** Between the spawns of two standbys. */
export const standbyStaggerMs = 300;
