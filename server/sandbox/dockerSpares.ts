/**
 * The warm pool's sandboxes on Docker: a spare is started under its own names
 * (`<instance>-_pool-<id>`), claimed for a workspace by renaming its container
 * (its network, ledger disk and build dir keep their spare names, as Docker
 * binds them by path), and listed or removed by its pool label.
 */
import type Docker from 'dockerode';
import { labelInstance, labelInstanceId, labelPool } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import type { AgentStatus } from './agentClient.ts';
import { docker as dockerCall, ensureHostFirewall } from './docker.ts';
import type { SandboxNames } from './dockerDriver.ts';
import { ensureSandboxImage } from './image/buildImage.ts';
import { enableLoopbackQuickAck } from './loopbackQuickAck.ts';
import type { SandboxHandle, SandboxMode, SandboxProgressFn, SpareSandboxes } from './sandboxDriver.ts';

type Info = Docker.ContainerInspectInfo;

/** What the spares use of the Docker driver: its names, and how it creates, starts, waits for and removes a sandbox. */
export interface DockerSpareContext {
  docker: Docker;
  instance: string;
  instanceId(): Promise<string>;
  names(workspace: string): SandboxNames;
  spareNames(id: string): SandboxNames;
  create(n: SandboxNames, owner: { spare: string }, image: string, mode: SandboxMode): Promise<void>;
  inspect(container: string): Promise<Info | undefined>;
  startContainer(info: Info, progress: SandboxProgressFn): Promise<Info>;
  waitReady(handle: SandboxHandle, progress: SandboxProgressFn): Promise<AgentStatus>;
  handleFor(workspace: string, info: Info): SandboxHandle;
  linkBuildDir(workspace: string, info: Info): Promise<void>;
  remove(n: SandboxNames): Promise<void>;
}

export function createDockerSpares(ctx: DockerSpareContext): SpareSandboxes {
  const { docker, instance, instanceId, names, spareNames, create, inspect, startContainer, waitReady, handleFor, linkBuildDir, remove } = ctx;
return {
  async start(id, progress) {
    if (!/^[a-z0-9]{1,32}$/.test(id)) throw new StudioError(ErrorCode.Internal, `"${id}" is not a spare sandbox id`);
    const n = spareNames(id);
    try {
      await ensureHostFirewall();
      const image = await ensureSandboxImage(docker, progress);
      await create(n, { spare: id }, image.tag, 'dev');
      const created = await inspect(n.container);
      if (!created) throw new StudioError(ErrorCode.Sandbox, `The spare sandbox ${n.container} vanished while starting`);
      const info = await startContainer(created, progress);
      await enableLoopbackQuickAck(info.State.Pid);
      await waitReady(handleFor('', info), progress);
    } catch (err) {
      await remove(n).catch(() => undefined);
      throw err;
    }
  },

  async claim(id, workspace) {
    const spare = spareNames(id);
    const n = names(workspace);
    const info = await inspect(spare.container);
    if (!info?.State.Running || info.Config.Labels[labelPool] !== id) throw new StudioError(ErrorCode.Sandbox, `The spare sandbox ${id} is not running.`);
    // The rename is the claim: from here on the container is the workspace's (a cut-short link is finished on reattach).
    await dockerCall('claim a spare sandbox', () => docker.getContainer(spare.container).rename({ name: n.container }));
    await linkBuildDir(workspace, info);
    const claimed = await inspect(n.container);
    if (!claimed) throw new StudioError(ErrorCode.Sandbox, `The sandbox container of ${workspace} vanished while it was claimed`);
    const handle = handleFor(workspace, claimed);
    // One status request for a ready spare; a spare an earlier server process left may still be starting.
    await waitReady(handle, () => undefined);
    return handle;
  },

  async destroy(id) {
    const n = spareNames(id);
    // A claimed spare (renamed) is a workspace's now: its disk and build dir are that workspace's ledger and build.
    const labelled = await dockerCall('find a spare sandbox', async () => docker.listContainers({ all: true, filters: { label: [`${labelInstanceId}=${await instanceId()}`, `${labelPool}=${id}`] } }));
    if (labelled.some((c) => !c.Names.includes(`/${n.container}`))) return;
    await remove(n);
  },

  async list() {
    const id = await instanceId();
    const containers = await dockerCall('list spare sandboxes', () => docker.listContainers({ all: true, filters: { label: [`${labelInstanceId}=${id}`, labelPool] } }));
    // A claimed spare keeps its label but not its name.
    const unclaimed = containers.filter((c) => c.Labels[labelInstance] === instance && c.Names.includes(`/${spareNames(c.Labels[labelPool] ?? '').container}`));
    return unclaimed.map((c) => ({ id: c.Labels[labelPool] ?? '', running: c.State === 'running' }));
  },
};
}
