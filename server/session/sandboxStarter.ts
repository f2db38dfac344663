/**
 * Makes sure a session has a running sandbox to run its chaincode in: keeps
 * the attached one while its agent says it is ready, otherwise starts one
 * through the driver (reporting the steps as status phases and progress) and
 * attaches to it. A new workspace may take a warm one instead.
 */
import type { AgentDefinitionOptions } from '../../protocol/agent.ts';
import type { SandboxDriver, SandboxHandle } from '../sandbox/sandboxDriver.ts';
import { readChaincodeName } from './chaincodeName.ts';
import type { SandboxLink } from './sandboxLink.ts';
import type { SessionReporter } from './sessionReporter.ts';
import type { WarmPool } from './warmPool.ts';

export interface SandboxStartOptions {
  readonly workspace: string;
  readonly sandboxes: SandboxDriver;
  readonly link: SandboxLink;
  readonly reporter: SessionReporter;
}

/** Steps of a start that build or import the sandbox image, shown as the `building-image` phase. */
const imageSteps = new Set(['image', 'fabric', 'rootfs', 'runtime', 'overlay', 'import']);

/** The attached sandbox if it is ready, else a newly started and attached one. */
export async function ensureSandboxRunning(options: SandboxStartOptions): Promise<SandboxHandle> {
  const { workspace, sandboxes, link, reporter } = options;
  if (link.handle) {
    const alive = await link.handle.agent.status().catch(() => undefined);
    if (alive?.phase === 'ready') return link.handle;
    link.detach();
  }
  reporter.setStatus({ phase: 'creating', message: 'Starting the sandbox' });
  try {
    const handle = await sandboxes.start(workspace, (step, message) => {
      if (imageSteps.has(step)) {
        if (reporter.status.phase !== 'building-image') reporter.setStatus({ phase: 'building-image' });
      } else if (reporter.status.phase !== 'starting' && step === 'network') reporter.setStatus({ phase: 'starting' });
      reporter.publish('sandbox/progress', { workspace, step, message });
    });
    await link.attach(handle, false);
    return handle;
  } catch (err) {
    // No sandbox, so no chaincode: not "compiling" forever.
    reporter.setStatus({ phase: 'error', chaincode: 'stopped', message: err instanceof Error ? err.message : String(err) });
    throw err;
  }
}

export interface WarmSandboxOptions {
  readonly workspace: string;
  readonly workspaceDir: string;
  readonly pool: Pick<WarmPool, 'claimIfNew'>;
  readonly link: SandboxLink;
  readonly reporter: SessionReporter;
  /** The endorsement policy and collections of the workspace's network, for the definition started at once. */
  readonly definition?: AgentDefinitionOptions;
}

/**
 * Attaches a new workspace (no sandbox, no ledger) to a warm sandbox from the pool, if one is ready,
 * before Run compiles; the sandbox starts defining the chaincode (Fabric's one-time install, approve
 * and commit) at once, so that runs while the workspace compiles. True when it took one.
 */
export async function takeWarmSandbox(options: WarmSandboxOptions): Promise<boolean> {
  const { workspace, link, reporter } = options;
  const handle = await options.pool.claimIfNew(workspace);
  if (!handle) return false;
  reporter.publish('sandbox/progress', { workspace, step: 'network', message: 'Took a sandbox from the warm pool' });
  reporter.log('sandbox', 'Took a sandbox from the warm pool');
  await link.attach(handle, false);
  const name = await readChaincodeName(options.workspaceDir, workspace);
  // A failure shows where it matters: the chaincode's start asks the agent for the same definition.
  void handle.agent.define(name, options.definition).catch(() => undefined);
  return true;
}
