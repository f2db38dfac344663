/**
 * Every port, timeout, limit and name the server uses, in one place, with
 * units in the names. Values that a person may change come from the
 * environment (see README); the rest are fixed here.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (server/ is one level below it). */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const defaultHost = '127.0.0.1';
export const defaultPort = 8080;

/** Where workspaces, builds and exports live unless STUDIO_DATA_DIR says otherwise. */
export const defaultDataDir = path.join(projectRoot, '.data');
/** Build caches (Fabric binaries, the Debian root filesystem, npm packages for the image). */
export const cacheDir = process.env.STUDIO_CACHE_DIR ?? path.join(projectRoot, '.cache');
export const samplesDir = path.join(projectRoot, 'samples');
export const clientDistDir = path.join(projectRoot, 'dist', 'client');

// ---- metrics (Prometheus) ----
/** The metrics endpoint's own port (STUDIO_METRICS_PORT); unset: no metrics endpoint. */
export const metricsPort = process.env.STUDIO_METRICS_PORT === undefined || process.env.STUDIO_METRICS_PORT === '' ? undefined : Number(process.env.STUDIO_METRICS_PORT);
/** Where the metrics endpoint listens (STUDIO_METRICS_HOST): loopback unless a scraper elsewhere must reach it. */
export const metricsHost = process.env.STUDIO_METRICS_HOST ?? '127.0.0.1';
export const metricsPath = '/metrics';

// ---- WebSocket and HTTP edges ----
export const wsPath = '/ws';
export const maxMessageBytes = 2 * 1024 * 1024;
/** A client whose unsent data exceeds this is disconnected rather than buffered without bound. */
export const maxBufferedBytes = 8 * 1024 * 1024;
/** WebSocket connections one token (one user: the main token, or one workspace's token) may hold at once. */
export const maxConnectionsPerToken = 16;
/**
 * WebSocket connections one remote address may hold at once, across tokens. High, because every
 * user on this machine comes from loopback: one user's tabs must not lock the others out.
 */
export const maxConnectionsPerAddress = 256;
/** How long `close()` waits for browsers to answer the close frame before cutting them off. */
export const wsCloseGraceMs = 1000;
/**
 * A workspace token (from `workspace/open`) stops working this long after it was issued;
 * opening the workspace again with a valid token hands out a fresh one.
 */
export const workspaceTokenTtlMs = Number(process.env.STUDIO_WORKSPACE_TOKEN_TTL_HOURS ?? 24) * 60 * 60_000;
export const maxRequestsPerSecond = 200;
export const maxRequestsInFlight = 64;
/**
 * A message over maxMessageBytes but within this margin is still read, so the sender gets a
 * `too_large` reply naming its request before the close (1009); a larger one is cut off by ws
 * at the frame header, unread and unanswered.
 */
export const oversizeReplyMarginBytes = 1024 * 1024;
/** How often a connection that is dropping notifications checks whether the browser caught up. */
export const backpressurePollMs = 100;
/** Browser cache lifetime of the content-hashed files under /assets/. */
export const immutableAssetMaxAgeSeconds = 365 * 24 * 60 * 60;

// ---- workspaces ----
export { maxFileBytes, maxFilesPerWorkspace, maxWorkspaceBytes } from '../protocol/workspaceLimits.ts';
/** A search across files returns at most this many lines, at most `searchMatchesPerFileMax` of one file, each cut to `searchPreviewChars`. */
export const searchMatchesMax = 500;
export const searchMatchesPerFileMax = 100;
export const searchPreviewChars = 160;
/** Largest archive (compressed) `workspace/import` reads; a WebSocket message (maxMessageBytes) carries less anyway. */
export const maxImportArchiveBytes = 50 * 1024 * 1024;
/**
 * Largest total an import archive may expand to, skipped entries (node_modules) included: gunzip
 * and inflate stop here. What is kept is held to the workspace limits above as it is read.
 */
export const maxImportExpandedBytes = 128 * 1024 * 1024;
/** A zip is fed to the inflater in slices this big, so a bomb is stopped within one slice's output (at most ~1032x). */
export const importZipSliceBytes = 4 * 1024;
/** Groups of skipped entries an import reply lists; the rest are counted in one last group. */
export const maxImportSkipGroups = 100;
/** Mode of the data folder and the folders under it: the workspaces, ledgers and keys are the user's alone. */
export const dataDirMode = 0o700;
/**
 * A deploy's private temp folder (its admin key) left by a killed server is removed at start once it
 * is older than any deploy can run, so a deploy another server on this machine is running is left alone.
 */
export const leftoverDeployDirMinAgeMs = 30 * 60_000;

// ---- build ----
/** Workspaces whose last TypeScript Program each compile worker keeps in memory, so a recompile after an edit is fast. */
export const maxCachedCompilerPrograms = 8;
/** Compiles that run at once, each in its own worker process; further compiles wait in a queue. */
export const maxConcurrentCompiles = Number(process.env.STUDIO_MAX_CONCURRENT_COMPILES ?? 2);
/** A compile (Run, export, deploy) still running after this long is stopped and its worker ended. */
export const compileTimeoutMs = 60_000;
/** Heap one compile worker may use (V8 old generation); a compile that needs more is stopped. */
export const compileMemoryMb = 512;
/** How long a compile worker process may take to start (load tsx and the compiler); not part of the compile time limit. */
export const compileWorkerStartTimeoutMs = 60_000;
/** Niceness of a compile worker process (Linux): compiles yield the CPU to the server, which answers every request. */
export const compileWorkerNice = 10;

// ---- sandbox ----
export const imageRepository = 'chaincode-studio-sandbox';
/** Label keys on every container and network we create, so a restarted server finds its own. */
export const labelPrefix = 'io.chaincode-studio';
export const labelOwner = `${labelPrefix}.owner`;
export const labelSandbox = `${labelPrefix}.sandbox`;
export const labelWorkspace = `${labelPrefix}.workspace`;
/** The STUDIO_INSTANCE name prefix of the server that created the sandbox. */
export const labelInstance = `${labelPrefix}.instance`;
/** On a sandbox started ahead of demand (the warm pool): its spare id. Docker cannot change labels, so a claimed one keeps it. */
export const labelPool = `${labelPrefix}.pool`;
/** The random id of the server's data dir: only sandboxes carrying ours are listed, reattached or removed. */
export const labelInstanceId = `${labelPrefix}.instance-id`;
/** The file in the data dir that keeps that id. */
export const instanceIdFile = 'instance-id';
export const ownerValue = 'chaincode-studio';
/**
 * Names of a spare sandbox (container, network, ledger disk, build dir) start with `<instance>-<this>`;
 * a workspace id never starts with `_`, so they cannot clash with a workspace's.
 */
export const spareNamePrefix = '_pool-';
/** Host network interfaces of sandbox networks start with this (the iptables rule matches `ccs-+`). */
export const bridgePrefix = 'ccs-';

export const sandboxMemoryBytes = 768 * 1024 * 1024;
export const sandboxNanoCpus = 1_000_000_000;
export const sandboxPidsLimit = 512;
export const sandboxTmpfsBytes = 64 * 1024 * 1024;
export const sandboxLogMaxBytes = '10m';

/** Kubernetes sandboxes (STUDIO_SANDBOX_DRIVER=kubernetes): the prefix of our label keys. */
export const k8sLabelPrefix = 'chaincode-studio.io';
export const k8sPodReadyTimeoutMs = 120_000;
export const k8sPodDeleteTimeoutMs = 60_000;
/**
 * The ports the server reaches in a sandbox: agent, orderer, peer, orderer admin, and the peers of a
 * second and third org, 1000 apart (see sandbox/agent/constants.mjs and orgNodes.mjs).
 */
export const k8sForwardedPorts = [7000, 7050, 7051, 7053, 8051, 9051] as const;

/** Ports inside the sandbox container (reached over its private bridge, never published). */
export const agentPort = 7000;
export const peerPort = 7051;
export const channelName = 'studio';
export const mspId = 'Org1MSP';
/** The peer's org and node name, as sandbox/config/crypto-config.yaml makes them (named in connection profiles). */
export const sandboxOrgName = 'Org1';
export const sandboxPeerName = 'peer0.org1.example.com';

// ---- "Connect a client" (the user's own Gateway applications) ----
/**
 * Where the server forwards the sandboxes' peer Gateway ports for the user's own client
 * applications (STUDIO_CLIENT_GATEWAY_HOST): loopback unless set. Each workspace gets an
 * ephemeral port there, forwarding to its sandbox's peer port and to nothing else.
 */
export const clientGatewayHost = process.env.STUDIO_CLIENT_GATEWAY_HOST ?? '127.0.0.1';
/** Connections one workspace's Gateway forwarder holds at once; more are refused. */
export const clientGatewayMaxConnections = 32;

export const sandboxReadyTimeoutMs = 120_000;
/** How often a starting sandbox's agent is asked whether the network is ready. */
export const sandboxReadyPollMs = 50;
/** How long a stopping sandbox gets to shut its peer down before it is killed. */
export const sandboxStopGraceSeconds = 10;
/** How long one `nsenter … ip route` in a sandbox's network namespace may take (see loopbackQuickAck.ts). */
export const sandboxRouteCommandTimeoutMs = 5000;
export const chaincodeReadyTimeoutMs = 30_000;
/**
 * In a network of several orgs, how long a Run waits for the Gateway's discovery to know every org's
 * peer to run the chaincode (see endorsersReady.ts), and how often it asks; past it the Run ends
 * with a warning rather than failing (the chaincode runs; a peer cut off from gossip may catch up).
 */
export const endorsersReadyTimeoutMs = 10_000;
export const endorsersReadyPollMs = 100;
export const agentRequestTimeoutMs = 60_000;
/** How long the agent may take to rebuild its network as other orgs or another channel (stop, keys, channel, peers joined). */
export const networkRebuildTimeoutMs = 120_000;

/** A paused transaction must survive a debugging session: every deadline on its path is at least this. */
export const transactionTimeoutMs = 15 * 60_000;
export const evaluateTimeoutMs = transactionTimeoutMs;

/** Log lines kept per source for a tab that opens the workspace later. */
export const logHistoryLines = 2000;
/** A sandbox that no connection has open and nothing invoked for this long is stopped (its ledger is kept); 0 turns this off. */
export const idleSandboxStopMs = Number(process.env.STUDIO_IDLE_STOP_MS ?? 30 * 60_000);
/** Running sandboxes one user (one token) may have at a time. */
export const maxSandboxesPerUser = Number(process.env.STUDIO_MAX_SANDBOXES ?? 3);
/** Running sandboxes the whole server may have at a time, whoever started them (every workspace token is a user of its own). */
export const maxSandboxesTotal = Number(process.env.STUDIO_MAX_SANDBOXES_TOTAL ?? 20);
/**
 * Sandboxes kept started ahead of demand (the warm pool), so Run on a new workspace need not wait
 * for Fabric to start; they count against maxSandboxesTotal. 0 (the default here) turns the pool
 * off; `npm start` sets 1 unless STUDIO_WARM_SANDBOXES says otherwise.
 */
export const warmSandboxes = Number(process.env.STUDIO_WARM_SANDBOXES ?? 0);
/** How often the pool checks whether to refill or shrink. */
export const warmPoolCheckIntervalMs = 10_000;
/** The pool shrinks to nothing while the 1-minute load average per core is at least this (STUDIO_WARM_POOL_BUSY_LOAD). */
export const warmPoolBusyLoadPerCore = Number(process.env.STUDIO_WARM_POOL_BUSY_LOAD ?? 3);
/** ... or while the host has less free memory than this (room for two more sandboxes). */
export const warmPoolMinFreeMemoryBytes = 2 * sandboxMemoryBytes;
/** The idle check runs every quarter of the idle time, within these bounds. */
export const idleCheckMinIntervalMs = 250;
export const idleCheckMaxIntervalMs = 60_000;
/** Log lines of a sandbox are sent in one notification per this many milliseconds. */
export const logBatchMs = 50;
/**
 * Size of a sandbox's ledger disk: a fixed-size ext4 image, loop-mounted at /var/sandbox, so
 * neither the ledger nor the chaincode can fill the host's disk. Sparse: only used blocks take space.
 */
export const sandboxDiskBytes = Number(process.env.STUDIO_SANDBOX_DISK_MB ?? 512) * 1024 * 1024;
/**
 * A transaction still running after this long while the debugger is not paused is reported as
 * a possible infinite loop (Fabric itself waits transactionTimeoutMs, for debugging).
 */
export const longTransactionWarnMs = Number(process.env.STUDIO_LONG_TX_WARN_MS ?? 20_000);
/**
 * The uids inside a sandbox: the agent, orderer and peer run as `sandboxUid`, the user's chaincode
 * as `chaincodeUid`, so it can neither signal the peer nor read the agent's token. Both own files on
 * the host (the ledger disk), so no host account may have them: checked before a sandbox is created.
 * Above systemd's container range (up to 1878982655) and below 2^31, where no distribution allocates.
 */
export const sandboxUid = 1_900_000_000;
export const chaincodeUid = sandboxUid + 1;
/** An agent HTTP reply larger than this is cut off and the request fails. */
export const maxAgentReplyBytes = 1024 * 1024;
/** An agent event-stream line longer than this is dropped, not buffered. */
export const maxAgentEventLineBytes = 64 * 1024;
/** How often a running transaction's time is counted (only while the debugger is not paused). */
export const longTransactionTickMs = 1000;

// ---- Gateway (server -> peer) ----
export const gatewayMaxMessageBytes = 100 * 1024 * 1024;
/** A ledger value (in a read/write set) is shown up to this size; its full size is given beside it. */
export const ledgerValueMaxBytes = 16 * 1024;
/** A transaction argument is listed up to this many characters. */
export const ledgerArgMaxChars = 4096;
/** A value opened whole in the ledger view (read from its block) is shown up to this size. */
export const ledgerValueWholeMaxBytes = 512 * 1024;
/** Reading blocks the index does not keep, straight from the peer, gives up after this long. */
export const ledgerPeerReadTimeoutMs = 15_000;
/** Blocks the ledger view keeps whole in memory per sandbox (world state and key history cover every block; older blocks are read from the peer when asked for). */
export const ledgerBlocksKept = Number(process.env.STUDIO_LEDGER_BLOCKS_KEPT ?? 2000);
/** Writes kept per key in its history. */
export const ledgerHistoryPerKey = 500;
/** Value text the ledger index of one sandbox keeps whole; past it, values are kept cut to `ledgerValueOverBudgetBytes`. */
export const ledgerIndexValueBudgetBytes = 64 * 1024 * 1024;
export const ledgerValueOverBudgetBytes = 1024;
/** After the peer's block stream breaks, the ledger view asks again this much later. */
export const ledgerFeedRetryMs = 1000;
/** Deadline of sending an endorsed transaction to the orderer, and of waiting for its commit status. */
export const gatewaySubmitTimeoutMs = 60_000;
export const gatewayCommitStatusTimeoutMs = 120_000;
/** Deadline of one contract metadata request unless the caller gives its own. */
export const gatewayMetadataTimeoutMs = 5000;
/** While a chaincode starts, each metadata request gets this long, and the next one follows after the pause below. */
export const metadataAttemptTimeoutMs = 2000;
export const metadataRetryPauseMs = 40;
/** Parameter names are read from at most this many workspace sources, each at most this large (parsed, never type-checked). */
export const parameterNameMaxFiles = 300;
export const parameterNameMaxFileBytes = 512 * 1024;
/** While a chaincode starts, the agent is asked this often whether its process is still there. */
export const chaincodeExitPollMs = 150;
/** While a chaincode starts, the agent is asked this often whether it has registered with the peer yet. */
export const chaincodeRegisteredPollMs = 20;
/** Reading the metadata of a chaincode found running after a server restart gets this long. */
export const reattachMetadataTimeoutMs = 3000;

// ---- export (production packages) ----
/** The Fabric CLI binaries (`peer`, `orderer`, ...) built by setup; used to check packages against the real peer. */
export const fabricBinDir = process.env.STUDIO_FABRIC_BIN ?? path.join(cacheDir, 'fabric', 'bin');
/**
 * The Fabric commit (or module version) the sandbox is built from instead of the pin in
 * sandbox/fabric/go.mod (v2.5.0), for a module proxy that serves a later one (e.g. the v2.5.16
 * tag's commit). The image tag follows it. Empty: the pin.
 */
export const fabricCommit = process.env.STUDIO_FABRIC_COMMIT ?? '';
/** Where generated package-lock.json files are kept, keyed by the hash of the package.json they lock. */
export const lockfileCacheDir = path.join(cacheDir, 'lockfiles');
/** How long `npm install --package-lock-only` may take before the export gives up. */
export const lockfileTimeoutMs = 180_000;
/** How long an offline Fabric CLI command (`peer lifecycle chaincode package`, `calculatepackageid`) may take. */
export const fabricOfflineCliTimeoutMs = 30_000;
/** Exports older than this are deleted (STUDIO_EXPORT_RETENTION_HOURS, default 24). */
export const exportRetentionMs = Number(process.env.STUDIO_EXPORT_RETENTION_HOURS ?? 24) * 60 * 60_000;
/** The disk all kept exports may use together (STUDIO_EXPORT_BUDGET_MB, default 512); the oldest go first when over. */
export const exportBudgetBytes = Number(process.env.STUDIO_EXPORT_BUDGET_MB ?? 512) * 1024 * 1024;
/** How often expired exports are looked for. */
export const exportSweepIntervalMs = 10 * 60_000;
/** The port a chaincode-as-a-service server listens on, in its container and behind its Service. */
export const chaincodeServerPort = 9999;
/** How long the peer waits to connect to a chaincode-as-a-service server (a Go duration, as connection.json wants). */
export const ccaasDialTimeout = '10s';
/** The image the chaincode container is built FROM unless the Dockerfile's BASE_IMAGE build argument says otherwise. */
export const chaincodeBaseImage = 'node:20-bookworm-slim';
/** The build stage of a Go chaincode-as-a-service image (the binary then runs alone, FROM scratch). */
export const chaincodeGoBuildImage = 'golang:1.24-bookworm';
/** The non-root user and group the chaincode container runs as (numeric, so Kubernetes can check runAsNonRoot). */
export const chaincodeContainerUid = 1000;
/** Kubernetes requests and limits of the chaincode container in an exported bundle. */
export const chaincodeContainerResources = {
  requests: { cpu: '100m', memory: '128Mi' },
  limits: { cpu: '500m', memory: '512Mi' },
} as const;
/** The Kubernetes namespace an exported bundle deploys to unless the export names another. */
export const chaincodeNamespace = 'default';
/** The channel the README of an exported bundle approves and commits on unless the export names another. */
export const productionChannelName = 'mychannel';
/** The MSP ID an exported bundle's chaincode server reports (CORE_PEER_LOCALMSPID) unless the export names another. */
export const productionMspId = 'Org1MSP';

// ---- deploy (production networks) ----
/** How long one peer CLI step of a deployment (install, approve, commit, ...) may take; install waits for the peer's build (Fabric's installTimeout is 300 s). */
export const deployStepTimeoutMs = 300_000;
/**
 * How long the peer CLI waits to connect to a peer or an orderer. A deploy that cannot connect
 * fails after this long whatever the reason, so its answer does not tell a closed port from a silent one.
 */
export const peerCliConnectTimeoutMs = 10_000;
/** Workspace tokens may deploy only when STUDIO_DEPLOY_WORKSPACE_TOKENS=1; otherwise deploying needs the main token. */
export const deployAllowsWorkspaceTokens = process.env.STUDIO_DEPLOY_WORKSPACE_TOKENS === '1';
/**
 * Endpoints a deploy may reach although they are loopback, private or link-local addresses
 * (STUDIO_DEPLOY_ALLOW: comma-separated `host:port` or CIDR entries).
 */
export const deployAllowList = process.env.STUDIO_DEPLOY_ALLOW ?? '';

// ---- debugger ----
export const inspectorConnectTimeoutMs = 10_000;
/**
 * A chaincode process opens its inspector a few milliseconds after it starts: attaching is retried this
 * long, this often; past it, only while the agent reports the process running (asked this often), up to
 * chaincodeReadyTimeoutMs.
 */
export const debuggerAttachTimeoutMs = 5000;
export const debuggerAttachRetryMs = 30;
export const debuggerAttachStatusEveryMs = 1000;
/** A CDP request without an answer in this time fails (an evaluate stuck in a loop, a hung inspector). */
export const inspectorRequestTimeoutMs = 30_000;
/** Finding the paused transaction's id is best effort and must not hold up the `stopped` event. */
export const debugTxIdTimeoutMs = 500;
export const debugMaxValueChars = 10_000;
/** Children listed for one object or array in the Variables pane. */
export const debugMaxChildVariables = 1000;
/** Bytes of a Buffer shown in its one-line value. */
export const debugBufferPreviewBytes = 64;
/** Bytes of a Buffer read when it is expanded. */
export const debugBufferDetailBytes = 4096;
/**
 * Largest source map (file or inline `data:` URL) and generated script the debugger reads from a
 * build; the build is the user's, so a larger one is ignored rather than read into memory.
 */
export const debugSourceMapMaxBytes = 8 * 1024 * 1024;
/** Largest CDP message accepted from the inspector; a larger one closes the debug session with a named error. */
export const debugInspectorMaxMessageBytes = 16 * 1024 * 1024;
/** Characters of one logpoint's output shown; the rest is cut, and the output says how much. */
export const debugConsoleMaxChars = 16 * 1024;
/** Largest breakpoints file (`.studio/breakpoints.json`) a workspace keeps; a larger one is ignored. */
export const breakpointFileMaxBytes = 1024 * 1024;
/** Exceptions thrown by transactions the debugger keeps, newest first, for the stack of a failed transaction. */
export const debugExceptionsKept = 20;
/** Stack frames kept of one thrown exception. */
export const debugExceptionMaxFrames = 30;

// ---- dependencies (a workspace's npm packages) ----
/**
 * Where a workspace's npm dependencies are installed: one folder per set of dependencies
 * (named by a hash of them), shared by every workspace that asks for the same set, and npm's
 * own download cache beside them.
 */
export const dependencyCacheDir = process.env.STUDIO_DEPENDENCY_CACHE_DIR ?? path.join(cacheDir, 'dependencies');
/** The npm registry dependencies come from (STUDIO_NPM_REGISTRY); a lockfile may name no other. */
export const npmRegistryUrl = process.env.STUDIO_NPM_REGISTRY ?? 'https://registry.npmjs.org/';
/** An `npm install`/`npm ci` of a workspace's dependencies still running after this long is killed. */
export const dependencyInstallTimeoutMs = 180_000;
/** The disk one installed set of dependencies may take (node_modules, measured after the install). */
export const maxDependencyBytes = Number(process.env.STUDIO_MAX_DEPENDENCY_MB ?? 300) * 1024 * 1024;
/** The declaration files of a workspace's installed packages served to the editor: at most this many… */
export const maxDependencyTypeFiles = 1500;
/**
 * …of this many bytes together (@types/node alone is about 2 MB; a Fabric project's whole tree about 3 MB),
 * so two replies in a row stay under the 2 × maxBufferedBytes at which a slow browser is cut off…
 */
export const maxDependencyTypeBytes = 6 * 1024 * 1024;
/** …none larger than this. */
export const maxDependencyTypeFileBytes = 1024 * 1024;
/** How often a server waiting for another server's install of the same dependencies looks again. */
export const dependencyLockPollMs = 250;
/** The package.json of the Node modules the sandbox image ships for chaincode (fabric-contract-api, fabric-shim). */
export const sandboxRuntimeManifestPath = path.join(projectRoot, 'sandbox', 'runtime', 'package.json');

/** Go builds (server/golang/): the deadline of one go command, its memory, and the caches every build shares. */
export const goBuildTimeoutMs = 180_000;
export const goBuildAddressSpaceBytes = 3 * 1024 * 1024 * 1024;
export const goBuildSoftMemoryLimit = '768MiB';
export const goCacheDir = path.join(cacheDir, 'go');
/** The Delve version built into the sandbox image (`dlv dap` debugs Go chaincode). */
export const delveVersion = 'v1.27.2';
