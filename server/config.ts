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

// ---- WebSocket and HTTP edges ----
export const wsPath = '/ws';
export const maxMessageBytes = 2 * 1024 * 1024;
/** A client whose unsent data exceeds this is disconnected rather than buffered without bound. */
export const maxBufferedBytes = 8 * 1024 * 1024;
export const maxConnectionsPerClient = 16;
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
export const maxFileBytes = 1024 * 1024;
export const maxFilesPerWorkspace = 2000;
export const maxWorkspaceBytes = 20 * 1024 * 1024;

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
/** Label keys on every container, network and volume we create, so a restarted server finds its own. */
export const labelPrefix = 'io.chaincode-studio';
export const labelOwner = `${labelPrefix}.owner`;
export const labelSandbox = `${labelPrefix}.sandbox`;
export const labelWorkspace = `${labelPrefix}.workspace`;
export const ownerValue = 'chaincode-studio';
/** Host network interfaces of sandbox networks start with this (the iptables rule matches `ccs-+`). */
export const bridgePrefix = 'ccs-';

export const sandboxMemoryBytes = 768 * 1024 * 1024;
export const sandboxNanoCpus = 1_000_000_000;
export const sandboxPidsLimit = 512;
export const sandboxTmpfsBytes = 64 * 1024 * 1024;
export const sandboxLogMaxBytes = '10m';

/** Ports inside the sandbox container (reached over its private bridge, never published). */
export const agentPort = 7000;
export const peerPort = 7051;
export const channelName = 'studio';
export const mspId = 'Org1MSP';

export const sandboxReadyTimeoutMs = 120_000;
export const chaincodeReadyTimeoutMs = 30_000;
export const agentRequestTimeoutMs = 60_000;

/** A paused transaction must survive a debugging session: every deadline on its path is at least this. */
export const transactionTimeoutMs = 15 * 60_000;
export const evaluateTimeoutMs = transactionTimeoutMs;

export const logHistoryLines = 2000;
/** A sandbox that no connection has open and nothing invoked for this long is stopped (its ledger is kept); 0 turns this off. */
export const idleSandboxStopMs = Number(process.env.STUDIO_IDLE_STOP_MS ?? 30 * 60_000);
/** Running sandboxes one user (one token) may have at a time. */
export const maxSandboxesPerUser = Number(process.env.STUDIO_MAX_SANDBOXES ?? 3);
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

// ---- export (production packages) ----
/** The Fabric CLI binaries (`peer`, `orderer`, ...) built by setup; used to check packages against the real peer. */
export const fabricBinDir = process.env.STUDIO_FABRIC_BIN ?? path.join(cacheDir, 'fabric', 'bin');
/** Where generated package-lock.json files are kept, keyed by the hash of the package.json they lock. */
export const lockfileCacheDir = path.join(cacheDir, 'lockfiles');
/** How long `npm install --package-lock-only` may take before the export gives up. */
export const lockfileTimeoutMs = 180_000;
/** The port a chaincode-as-a-service server listens on, in its container and behind its Service. */
export const chaincodeServerPort = 9999;
/** How long the peer waits to connect to a chaincode-as-a-service server (a Go duration, as connection.json wants). */
export const ccaasDialTimeout = '10s';
/** The image the chaincode container is built FROM unless the Dockerfile's BASE_IMAGE build argument says otherwise. */
export const chaincodeBaseImage = 'node:20-bookworm-slim';
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

// ---- deploy (production networks) ----
/** How long one peer CLI step of a deployment (install, approve, commit, ...) may take. */
export const deployStepTimeoutMs = 180_000;

// ---- debugger ----
export const inspectorConnectTimeoutMs = 10_000;
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
