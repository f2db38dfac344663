/**
 * The Docker implementation of {@link SandboxDriver}: creates, starts, stops
 * and destroys sandbox containers through dockerode. One sandbox per
 * workspace: a hardened container on its own internal network, with a ledger
 * disk (see ledgerDisk.ts) that survives stop/start. Everything we create
 * carries our labels, the data dir's instance id among them, so a restarted
 * server finds its own sandboxes, and only its own, and reattaches.
 */
import { randomBytes, createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import { ensureSandboxImage } from './image/buildImage.ts';
import {
  agentPort,
  bridgePrefix,
  labelInstance,
  labelInstanceId,
  labelOwner,
  labelSandbox,
  labelWorkspace,
  ownerValue,
  sandboxDiskBytes,
  sandboxLogMaxBytes,
  sandboxMemoryBytes,
  sandboxNanoCpus,
  sandboxPidsLimit,
  sandboxReadyPollMs,
  sandboxReadyTimeoutMs,
  sandboxStopGraceSeconds,
  sandboxTmpfsBytes,
  sandboxUid,
} from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { createAgentClient, type AgentStatus } from './agentClient.ts';
import { docker as dockerCall, dockerError, ensureHostFirewall, isNotFound } from './docker.ts';
import { loadInstanceId } from './instanceId.ts';
import { createLedgerDisk } from './ledgerDisk.ts';
import { enableLoopbackQuickAck } from './loopbackQuickAck.ts';
import type { SandboxDriver, SandboxHandle, SandboxMode, SandboxProgressFn } from './sandboxDriver.ts';

export interface DockerDriverOptions {
  readonly docker: Docker;
  /** Holds the ledger disks, the build dirs and the instance id. */
  readonly dataDir: string;
  /** The name prefix of this server's sandboxes (STUDIO_INSTANCE by default, else `ccs`). */
  readonly instance?: string;
}

function modeOf(info: Docker.ContainerInspectInfo): SandboxMode {
  return info.Config.Env.includes('STUDIO_MODE=production') ? 'production' : 'dev';
}

/** Sandboxes on the Docker daemon `options.docker`, labelled with the instance id kept in `options.dataDir`. */
export function createDockerDriver(options: DockerDriverOptions): SandboxDriver {
  const { docker, dataDir } = options;
  const instance = options.instance ?? process.env.STUDIO_INSTANCE ?? 'ccs';
  const starting = new Map<string, Promise<SandboxHandle>>();
  let instanceIdLoad: Promise<string> | undefined;
  const instanceId = () =>
    (instanceIdLoad ??= loadInstanceId(dataDir).catch((err: unknown) => {
      instanceIdLoad = undefined;
      throw err;
    }));

  const names = (workspace: string) => {
    const short = createHash('sha256').update(`${instance}/${workspace}`).digest('hex').slice(0, 10);
    return {
      container: `${instance}-${workspace}`,
      network: `${instance}-${workspace}-net`,
      disk: `${instance}-${workspace}-data`,
      // Linux interface names are at most 15 characters.
      bridge: `${bridgePrefix}${short}`,
    };
  };
  const labels = async (workspace: string, sandboxId: string) => ({
    [labelOwner]: ownerValue,
    [labelInstance]: instance,
    [labelInstanceId]: await instanceId(),
    [labelWorkspace]: workspace,
    [labelSandbox]: sandboxId,
  });
  const ours = async (objectLabels: Record<string, string> | undefined) => objectLabels?.[labelInstanceId] === (await instanceId());
  const notOurs = (what: 'container' | 'network', name: string) =>
    new StudioError(
      ErrorCode.Sandbox,
      `The sandbox ${what} ${name} belongs to another Chaincode Studio server on this Docker (same instance name "${instance}", another data dir). Give each server its own STUDIO_INSTANCE; if it is left over from an older version of this server, remove it (docker ${what === 'container' ? 'rm -f' : 'network rm'} ${name}).`,
    );
  const buildDir = (workspace: string) => path.join(dataDir, 'builds', workspace);
  const ledgerDisk = (workspace: string) => createLedgerDisk({ dir: path.join(dataDir, 'disks'), name: names(workspace).disk, sizeBytes: sandboxDiskBytes, uid: sandboxUid });

  /** The container of `workspace` whatever server made it (the name is taken either way). */
  async function inspectAny(workspace: string): Promise<Docker.ContainerInspectInfo | undefined> {
    try {
      return await docker.getContainer(names(workspace).container).inspect();
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw dockerError(err, `inspect the sandbox of ${workspace}`);
    }
  }

  /** The container of `workspace` if this server made it; another server's is never touched. */
  async function inspect(workspace: string): Promise<Docker.ContainerInspectInfo | undefined> {
    const info = await inspectAny(workspace);
    return info && (await ours(info.Config.Labels)) ? info : undefined;
  }

  function handleFor(workspace: string, info: Docker.ContainerInspectInfo): SandboxHandle {
    const n = names(workspace);
    const host = info.NetworkSettings.Networks[n.network]?.IPAddress;
    const token = info.Config.Env.find((e) => e.startsWith('STUDIO_AGENT_TOKEN='))?.slice('STUDIO_AGENT_TOKEN='.length);
    if (!host || !token) throw new StudioError(ErrorCode.Sandbox, `The sandbox of ${workspace} has no address or token; destroy it and start again.`);
    return { workspace, mode: modeOf(info), containerName: n.container, host, agent: createAgentClient({ host, port: agentPort, token }), buildDir: buildDir(workspace) };
  }

  async function ensureNetwork(workspace: string, sandboxId: string): Promise<void> {
    const n = names(workspace);
    try {
      const network = (await docker.getNetwork(n.network).inspect()) as { Labels?: Record<string, string> };
      if (!(await ours(network.Labels))) throw notOurs('network', n.network);
      return;
    } catch (err) {
      if (err instanceof StudioError) throw err;
      if (!isNotFound(err)) throw dockerError(err, 'inspect the sandbox network');
    }
    const networkLabels = await labels(workspace, sandboxId);
    await dockerCall('create the sandbox network', () =>
      docker.createNetwork({
        Name: n.network,
        Driver: 'bridge',
        // No route out: the sandbox reaches neither the internet nor other sandboxes.
        Internal: true,
        // No IPv6 addresses to route; the host firewall also covers the link-local ones.
        EnableIPv6: false,
        Labels: networkLabels,
        Options: { 'com.docker.network.bridge.name': n.bridge, 'com.docker.network.bridge.enable_icc': 'true' },
      }),
    );
  }

  async function create(workspace: string, image: string, mode: SandboxMode): Promise<void> {
    const n = names(workspace);
    const sandboxId = randomBytes(6).toString('hex');
    await ensureNetwork(workspace, sandboxId);
    const ledger = await ledgerDisk(workspace).ensureMounted();
    const dir = buildDir(workspace);
    await fs.mkdir(path.join(dir, 'app'), { recursive: true });
    const containerLabels = await labels(workspace, sandboxId);
    await dockerCall('create the sandbox container', () =>
      docker.createContainer({
        name: n.container,
        Image: image,
        // Root with only these three capabilities, for the launcher to drop to the sandbox's and the chaincode's uids.
        User: '0:0',
        Env: [`STUDIO_AGENT_TOKEN=${randomBytes(24).toString('hex')}`, `STUDIO_MODE=${mode}`],
        Labels: containerLabels,
        ExposedPorts: {},
        HostConfig: {
          NetworkMode: n.network,
          Init: true,
          ReadonlyRootfs: true,
          CapDrop: ['ALL'],
          CapAdd: ['SETUID', 'SETGID', 'KILL'],
          SecurityOpt: ['no-new-privileges'],
          Memory: sandboxMemoryBytes,
          MemorySwap: sandboxMemoryBytes,
          NanoCpus: sandboxNanoCpus,
          PidsLimit: sandboxPidsLimit,
          Tmpfs: { '/tmp': `rw,nosuid,nodev,size=${sandboxTmpfsBytes}` },
          Mounts: [
            { Type: 'bind', Source: ledger, Target: '/var/sandbox' },
            { Type: 'bind', Source: dir, Target: '/chaincode', ReadOnly: true },
          ],
          LogConfig: { Type: 'json-file', Config: { 'max-size': sandboxLogMaxBytes, 'max-file': '2' } },
          RestartPolicy: { Name: 'no' },
        },
      }),
    );
  }

  async function waitReady(handle: SandboxHandle, progress: SandboxProgressFn): Promise<AgentStatus> {
    const deadline = Date.now() + sandboxReadyTimeoutMs;
    let last = '';
    for (;;) {
      let status: AgentStatus | undefined;
      try {
        status = await handle.agent.status();
      } catch {
        // The agent is not listening yet.
      }
      if (status?.phase === 'ready') return status;
      if (status?.phase === 'error') throw new StudioError(ErrorCode.Sandbox, status.message);
      if (status && status.message !== last) {
        last = status.message;
        progress('network', status.message);
      }
      const info = await inspect(handle.workspace);
      if (!info?.State.Running) {
        throw new StudioError(ErrorCode.Sandbox, `The sandbox container stopped while starting (exit code ${info?.State.ExitCode ?? '?'}). See the sandbox log.`);
      }
      if (Date.now() > deadline) throw new StudioError(ErrorCode.Timeout, `The sandbox was not ready after ${sandboxReadyTimeoutMs / 1000} s: ${last}`);
      await new Promise((r) => setTimeout(r, sandboxReadyPollMs));
    }
  }

  async function doStart(workspace: string, progress: SandboxProgressFn, mode: SandboxMode): Promise<SandboxHandle> {
    await ensureHostFirewall();
    let info = await inspect(workspace);
    if (!info && (await inspectAny(workspace))) throw notOurs('container', names(workspace).container);
    if (!info) {
      progress('image', 'Checking the sandbox image');
      const image = await ensureSandboxImage(docker, progress);
      progress('container', `Creating the sandbox container (${mode} mode)`);
      await create(workspace, image.tag, mode);
      info = await inspect(workspace);
    }
    if (!info) throw new StudioError(ErrorCode.Sandbox, `The sandbox container of ${workspace} vanished while starting`);
    const existingMode = modeOf(info);
    if (existingMode !== mode) {
      throw new StudioError(ErrorCode.Sandbox, `The sandbox of ${workspace} runs in ${existingMode} mode, not ${mode}; destroy it to start it in ${mode} mode.`);
    }
    if (!info.State.Running) {
      // After a host reboot the ledger disk is no longer mounted: mount it before Docker binds it.
      if (info.Mounts.some((m) => m.Destination === '/var/sandbox' && m.Type === 'bind')) await ledgerDisk(workspace).ensureMounted();
      progress('container', 'Starting the sandbox container');
      await dockerCall('start the sandbox container', () => docker.getContainer(names(workspace).container).start());
      info = await inspect(workspace);
      if (!info) throw new StudioError(ErrorCode.Sandbox, `The sandbox container of ${workspace} vanished while starting`);
    }
    await enableLoopbackQuickAck(info.State.Pid);
    const handle = handleFor(workspace, info);
    progress('network', 'Starting the orderer, the peer and the channel');
    await waitReady(handle, progress);
    return handle;
  }

  return {
    instance,
    buildDir,

    start(workspace, progress, startOptions = {}) {
      let pending = starting.get(workspace);
      if (!pending) {
        pending = doStart(workspace, progress, startOptions.mode ?? 'dev').finally(() => starting.delete(workspace));
        starting.set(workspace, pending);
      }
      return pending;
    },

    async find(workspace) {
      const info = await inspect(workspace);
      if (!info?.State.Running) return undefined;
      // Reattaching: the rule may have gone while the server was down (a firewall reload).
      await ensureHostFirewall();
      await enableLoopbackQuickAck(info.State.Pid);
      return handleFor(workspace, info);
    },

    async stop(workspace) {
      const info = await inspect(workspace);
      if (!info?.State.Running) return;
      await dockerCall('stop the sandbox', () => docker.getContainer(names(workspace).container).stop({ t: sandboxStopGraceSeconds }));
    },

    async destroy(workspace) {
      const n = names(workspace);
      const ignoreMissing = async (action: string, fn: () => Promise<unknown>) => {
        try {
          await fn();
        } catch (err) {
          if (!isNotFound(err)) throw dockerError(err, action);
        }
      };
      // Another server's container or network of the same name stays; our disk and build dir go.
      if (await inspect(workspace)) await ignoreMissing('remove the sandbox container', () => docker.getContainer(n.container).remove({ force: true, v: true }));
      await ignoreMissing('remove the sandbox network', async () => {
        const network = (await docker.getNetwork(n.network).inspect()) as { Labels?: Record<string, string> };
        if (await ours(network.Labels)) await docker.getNetwork(n.network).remove();
      });
      await ledgerDisk(workspace).remove();
      await fs.rm(buildDir(workspace), { recursive: true, force: true });
    },

    async list() {
      const id = await instanceId();
      const containers = await dockerCall('list sandboxes', () =>
        docker.listContainers({ all: true, filters: { label: [`${labelOwner}=${ownerValue}`, `${labelInstance}=${instance}`, `${labelInstanceId}=${id}`] } }),
      );
      return containers.map((c) => ({ workspace: c.Labels[labelWorkspace] ?? '', running: c.State === 'running' })).filter((c) => c.workspace);
    },

    async memoryBytes(workspace) {
      try {
        const stats = (await docker.getContainer(names(workspace).container).stats({ stream: false })) as { memory_stats?: { usage?: number; stats?: { cache?: number; total_inactive_file?: number } } };
        const usage = stats.memory_stats?.usage;
        if (usage === undefined) return undefined;
        return usage - (stats.memory_stats?.stats?.total_inactive_file ?? stats.memory_stats?.stats?.cache ?? 0);
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw dockerError(err, 'read sandbox memory');
      }
    },
  };
}
