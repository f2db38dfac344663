/**
 * The Docker implementation of {@link SandboxDriver}: creates, starts, stops
 * and destroys sandbox containers through dockerode. One sandbox per
 * workspace: a hardened container on its own internal network, with a ledger
 * disk (see ledgerDisk.ts) that survives stop/start. Everything we create
 * carries our labels, the data dir's instance id among them, so a restarted
 * server finds its own sandboxes, and only its own, and reattaches.
 *
 * Spares (the warm pool's sandboxes) are named `<instance>-_pool-<id>`. A
 * claim renames the container to the workspace's name; its network, ledger
 * disk and build dir keep their spare names (Docker binds by path), so the
 * driver reads them off the container, and the workspace's build dir becomes
 * a link to the one the container mounts.
 */
import { randomBytes, createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import { linkToSpareBuild } from './buildDirLink.ts';
import { ensureSandboxImage } from './image/buildImage.ts';
import {
  agentPort,
  bridgePrefix,
  labelInstance,
  labelInstanceId,
  labelOwner,
  labelPool,
  labelSandbox,
  labelWorkspace,
  ownerValue,
  sandboxDiskBytes,
  sandboxLogMaxBytes,
  sandboxMemoryBytes,
  sandboxNanoCpus,
  sandboxPidsLimit,
  sandboxStopGraceSeconds,
  sandboxTmpfsBytes,
  sandboxUid,
  spareNamePrefix,
} from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { createAgentClient, type AgentStatus } from './agentClient.ts';
import { docker as dockerCall, dockerError, ensureHostFirewall, isNotFound } from './docker.ts';
import { loadInstanceId } from './instanceId.ts';
import { createLedgerDisk } from './ledgerDisk.ts';
import { enableLoopbackQuickAck } from './loopbackQuickAck.ts';
import { waitForAgentReady } from './agentReady.ts';
import { createDockerSpares } from './dockerSpares.ts';
import { oneStartPerWorkspace, type SandboxDriver, type SandboxHandle, type SandboxMode, type SandboxProgressFn } from './sandboxDriver.ts';

/** What one sandbox's parts are called: its container, network, ledger disk, bridge and build dir. */
export interface SandboxNames {
  readonly container: string;
  readonly network: string;
  readonly disk: string;
  readonly bridge: string;
  readonly build: string;
}

const mountSource = (info: Docker.ContainerInspectInfo, target: string) => info.Mounts.find((m) => m.Destination === target && m.Type === 'bind')?.Source;

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
  let instanceIdLoad: Promise<string> | undefined;
  const instanceId = () =>
    (instanceIdLoad ??= loadInstanceId(dataDir).catch((err: unknown) => {
      instanceIdLoad = undefined;
      throw err;
    }));

  const buildsDir = path.join(dataDir, 'builds');
  const disksDir = path.join(dataDir, 'disks');
  const buildDir = (workspace: string) => path.join(buildsDir, workspace);
  const namesOf = (base: string, build: string): SandboxNames => {
    const short = createHash('sha256').update(`${instance}/${base}`).digest('hex').slice(0, 10);
    return {
      container: `${instance}-${base}`,
      network: `${instance}-${base}-net`,
      disk: `${instance}-${base}-data`,
      // Linux interface names are at most 15 characters.
      bridge: `${bridgePrefix}${short}`,
      build,
    };
  };
  const names = (workspace: string) => namesOf(workspace, buildDir(workspace));
  const spareNames = (id: string) => namesOf(`${spareNamePrefix}${id}`, path.join(buildsDir, `${spareNamePrefix}${id}`));
  /** Labels of a new sandbox: a workspace's, or a spare's (`{ spare: id }`, no workspace yet). */
  const labels = async (owner: { workspace: string } | { spare: string }, sandboxId: string) => ({
    [labelOwner]: ownerValue,
    [labelInstance]: instance,
    [labelInstanceId]: await instanceId(),
    ...('workspace' in owner ? { [labelWorkspace]: owner.workspace } : { [labelPool]: owner.spare }),
    [labelSandbox]: sandboxId,
  });
  const ours = async (objectLabels: Record<string, string> | undefined) => objectLabels?.[labelInstanceId] === (await instanceId());
  const notOurs = (what: 'container' | 'network', name: string) =>
    new StudioError(
      ErrorCode.Sandbox,
      `The sandbox ${what} ${name} belongs to another Chaincode Studio server on this Docker (same instance name "${instance}", another data dir). Give each server its own STUDIO_INSTANCE; if it is left over from an older version of this server, remove it (docker ${what === 'container' ? 'rm -f' : 'network rm'} ${name}).`,
    );
  const ledgerDisk = (name: string) => createLedgerDisk({ dir: disksDir, name, sizeBytes: sandboxDiskBytes, uid: sandboxUid });
  /** The ledger disk a container mounts (a spare's keeps its spare name after a claim), when it is one of ours. */
  const ledgerOf = (info: Docker.ContainerInspectInfo) => {
    const source = mountSource(info, '/var/sandbox');
    return source !== undefined && path.dirname(source) === disksDir ? ledgerDisk(path.basename(source)) : undefined;
  };
  /** The build dir a container mounts, when it is one of ours. */
  const buildOf = (info: Docker.ContainerInspectInfo) => {
    const source = mountSource(info, '/chaincode');
    return source !== undefined && path.dirname(source) === buildsDir ? source : undefined;
  };

  /** The container named `container` whatever server made it (the name is taken either way). */
  async function inspectAny(container: string): Promise<Docker.ContainerInspectInfo | undefined> {
    try {
      return await docker.getContainer(container).inspect();
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw dockerError(err, `inspect the sandbox ${container}`);
    }
  }

  /** The container named `container` if this server made it; another server's is never touched. */
  async function inspect(container: string): Promise<Docker.ContainerInspectInfo | undefined> {
    const info = await inspectAny(container);
    return info && (await ours(info.Config.Labels)) ? info : undefined;
  }

  function handleFor(workspace: string, info: Docker.ContainerInspectInfo): SandboxHandle {
    // The container's own network: a claimed spare keeps its spare network.
    const host = info.NetworkSettings.Networks[info.HostConfig.NetworkMode ?? '']?.IPAddress;
    const token = info.Config.Env.find((e) => e.startsWith('STUDIO_AGENT_TOKEN='))?.slice('STUDIO_AGENT_TOKEN='.length);
    if (!host || !token) throw new StudioError(ErrorCode.Sandbox, `The sandbox of ${workspace} has no address or token; destroy it and start again.`);
    return { workspace, mode: modeOf(info), containerName: info.Name.replace(/^\//, ''), host, agent: createAgentClient({ host, port: agentPort, token }), buildDir: buildDir(workspace) };
  }

  /** A claimed spare mounts its own build dir: the workspace's becomes a link to it (buildDirLink.ts). */
  async function linkBuildDir(workspace: string, info: Docker.ContainerInspectInfo): Promise<void> {
    const mounted = buildOf(info);
    if (mounted !== undefined) await linkToSpareBuild(buildDir(workspace), mounted);
  }

  async function ensureNetwork(n: SandboxNames, networkLabels: Record<string, string>): Promise<void> {
    try {
      const network = (await docker.getNetwork(n.network).inspect()) as { Labels?: Record<string, string> };
      if (!(await ours(network.Labels))) throw notOurs('network', n.network);
      return;
    } catch (err) {
      if (err instanceof StudioError) throw err;
      if (!isNotFound(err)) throw dockerError(err, 'inspect the sandbox network');
    }
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

  async function create(n: SandboxNames, owner: { workspace: string } | { spare: string }, image: string, mode: SandboxMode): Promise<void> {
    const containerLabels = await labels(owner, randomBytes(6).toString('hex'));
    await ensureNetwork(n, containerLabels);
    const ledger = await ledgerDisk(n.disk).ensureMounted();
    const dir = n.build;
    await fs.mkdir(path.join(dir, 'app'), { recursive: true });
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
          // Every writable place is noexec, but a production peer runs the chaincode it built (the golang builder copies its binary to /tmp).
          Tmpfs: { '/tmp': `rw,nosuid,nodev,${mode === 'production' ? 'exec,' : ''}size=${sandboxTmpfsBytes}` },
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

  function waitReady(handle: SandboxHandle, progress: SandboxProgressFn): Promise<AgentStatus> {
    return waitForAgentReady(handle, progress, {
      async whyStopped() {
        const info = await inspect(handle.containerName);
        return info?.State.Running ? undefined : `The sandbox container stopped while starting (exit code ${info?.State.ExitCode ?? '?'}). See the sandbox log.`;
      },
    });
  }

  async function doStart(workspace: string, progress: SandboxProgressFn, mode: SandboxMode): Promise<SandboxHandle> {
    await ensureHostFirewall();
    const n = names(workspace);
    let info = await inspect(n.container);
    if (!info && (await inspectAny(n.container))) throw notOurs('container', n.container);
    if (!info) {
      progress('image', 'Checking the sandbox image');
      const image = await ensureSandboxImage(docker, progress);
      progress('container', `Creating the sandbox container (${mode} mode)`);
      await create(n, { workspace }, image.tag, mode);
      info = await inspect(n.container);
    }
    if (!info) throw new StudioError(ErrorCode.Sandbox, `The sandbox container of ${workspace} vanished while starting`);
    const existingMode = modeOf(info);
    if (existingMode !== mode) {
      throw new StudioError(ErrorCode.Sandbox, `The sandbox of ${workspace} runs in ${existingMode} mode, not ${mode}; destroy it to start it in ${mode} mode.`);
    }
    await linkBuildDir(workspace, info);
    if (!info.State.Running) info = await startContainer(info, progress);
    await enableLoopbackQuickAck(info.State.Pid);
    const handle = handleFor(workspace, info);
    progress('network', 'Starting the orderer, the peer and the channel');
    await waitReady(handle, progress);
    return handle;
  }

  async function startContainer(info: Docker.ContainerInspectInfo, progress: SandboxProgressFn): Promise<Docker.ContainerInspectInfo> {
    const name = info.Name.replace(/^\//, '');
    // After a host reboot the ledger disk is no longer mounted: mount it before Docker binds it.
    await ledgerOf(info)?.ensureMounted();
    progress('container', 'Starting the sandbox container');
    await dockerCall('start the sandbox container', () => docker.getContainer(name).start());
    const started = await inspect(name);
    if (!started) throw new StudioError(ErrorCode.Sandbox, `The sandbox container ${name} vanished while starting`);
    return started;
  }

  /** Removes a sandbox's container (when ours), its network, ledger disk and build dir: by name, and as the container names them. */
  async function remove(n: SandboxNames): Promise<void> {
    const ignoreMissing = async (action: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (err) {
        if (!isNotFound(err)) throw dockerError(err, action);
      }
    };
    const info = await inspect(n.container);
    // Another server's container or network of the same name stays; our disk and build dir go.
    if (info) await ignoreMissing('remove the sandbox container', () => docker.getContainer(n.container).remove({ force: true, v: true }));
    for (const network of new Set([n.network, ...(info?.HostConfig.NetworkMode ? [info.HostConfig.NetworkMode] : [])])) {
      await ignoreMissing('remove the sandbox network', async () => {
        const found = (await docker.getNetwork(network).inspect()) as { Labels?: Record<string, string> };
        if (await ours(found.Labels)) await docker.getNetwork(network).remove();
      });
    }
    await ledgerDisk(n.disk).remove();
    if (info) await ledgerOf(info)?.remove();
    // A claimed spare's build dir is where the workspace's link points.
    const link = await fs.readlink(n.build).catch(() => undefined);
    const mounted = info ? buildOf(info) : undefined;
    for (const dir of [link === undefined ? undefined : path.join(buildsDir, path.basename(link)), mounted]) {
      if (dir !== undefined) await fs.rm(dir, { recursive: true, force: true });
    }
    await fs.rm(n.build, { recursive: true, force: true });
  }

  const spares = createDockerSpares({ docker, instance, instanceId, names, spareNames, create, inspect, startContainer, waitReady, handleFor, linkBuildDir, remove });

  return {
    instance,
    buildDir,

    start: oneStartPerWorkspace(doStart),

    async find(workspace) {
      const info = await inspect(names(workspace).container);
      if (!info?.State.Running) return undefined;
      // Reattaching: the rule may have gone while the server was down (a firewall reload).
      await ensureHostFirewall();
      await enableLoopbackQuickAck(info.State.Pid);
      await linkBuildDir(workspace, info);
      return handleFor(workspace, info);
    },

    async stop(workspace) {
      const n = names(workspace);
      const info = await inspect(n.container);
      if (!info?.State.Running) return;
      await dockerCall('stop the sandbox', () => docker.getContainer(n.container).stop({ t: sandboxStopGraceSeconds }));
    },

    destroy: (workspace) => remove(names(workspace)),

    async list() {
      const id = await instanceId();
      const containers = await dockerCall('list sandboxes', () =>
        docker.listContainers({ all: true, filters: { label: [`${labelOwner}=${ownerValue}`, `${labelInstance}=${instance}`, `${labelInstanceId}=${id}`] } }),
      );
      // A claimed spare carries no workspace label (Docker cannot add one): its name says whose it is.
      const workspaceOf = (c: Docker.ContainerInfo) => {
        if (c.Labels[labelPool] === undefined) return c.Labels[labelWorkspace] ?? '';
        const name = c.Names[0]?.replace(/^\//, '') ?? '';
        const base = name.startsWith(`${instance}-`) ? name.slice(instance.length + 1) : '';
        return base.startsWith(spareNamePrefix) ? '' : base;
      };
      return containers.map((c) => ({ workspace: workspaceOf(c), running: c.State === 'running' })).filter((c) => c.workspace);
    },

    async exists(workspace) {
      const n = names(workspace);
      if (await inspectAny(n.container)) return true;
      return fs.access(path.join(disksDir, `${n.disk}.img`)).then(
        () => true,
        () => false,
      );
    },

    spares,

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
