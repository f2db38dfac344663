/**
 * The path a developer takes without dev mode: every change redeployed through
 * the Fabric lifecycle (compile, package, install, approve, commit with the
 * next sequence) on a production-mode sandbox (TLS, no dev mode, the peer
 * builds and launches the chaincode), timed from the saved edit until the new
 * code answers. The same one-line edit as the dev-mode restart figure.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { randomBytes } from 'node:crypto';
import { compileWorkspace } from '../server/compile/compileWorkspace.ts';
import { samplesDir } from '../server/config.ts';
import { deployChaincode } from '../server/deploy/deployChaincode.ts';
import { lockfileFor } from '../server/export/lockfile.ts';
import { productionNodePackage, readCompiledApp } from '../server/export/productionApp.ts';
import { connectGateway, type SandboxGateway } from '../server/fabric/gateway.ts';
import { releaseDisksUnder } from '../server/sandbox/ledgerDisk.ts';
import { createSandboxManager } from '../server/sandbox/sandboxManager.ts';
import { percentile } from './percentile.ts';

type Report = (name: string, value: number | string | null, unit?: string) => void;

const redeploys = Number(process.env.BENCH_LIFECYCLE_REDEPLOYS ?? 3);
/** How long the new code may take to answer after the commit (the peer builds and launches it). */
const answerTimeoutMs = 180_000;
const chaincodeName = 'basic';

export interface EditUnderTest {
  /** The sample's file the edit is made in. */
  readonly file: string;
  /** The edited text, for the i-th edit. */
  edit(original: string, i: number): string;
  /** Whether the error message of `ReadAsset ghost` shows the i-th edit. */
  answers(message: string, i: number): boolean;
}

/** Redeploys `edits` times through the lifecycle and reports the median, edit saved → new code answering. */
export async function measureLifecycleRedeploy(docker: Docker, edit: EditUnderTest, report: Report): Promise<{ lifecycleRedeployMs: number }> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ccs-bench-lifecycle-'));
  const sandboxes = createSandboxManager({ docker, dataDir, instance: `ccs-lc-${randomBytes(3).toString('hex')}` });
  const workspaceDir = path.join(dataDir, 'workspaces', 'lifecycle');
  const buildDir = path.join(dataDir, 'build');
  await fs.cp(path.join(samplesDir, 'asset-transfer-ts'), workspaceDir, { recursive: true });
  let gateway: SandboxGateway | undefined;
  try {
    const handle = await sandboxes.start('lifecycle', () => undefined, { mode: 'production' });
    const c = await handle.agent.connection();
    const connection = { peer: c.peer, orderer: c.orderer, admin: c.admin, channel: c.channel };
    gateway = connectGateway({ peerEndpoint: c.peer.endpoint, channel: c.channel, identity: c.user, tls: { rootCert: c.peer.tlsRootCert, hostname: c.peer.hostname } });
    const g = gateway;
    const readGhost = () => g.evaluate({ chaincodeName, contract: '', fn: 'ReadAsset', args: ['ghost'] }).then(() => '', (err: unknown) => String(err));

    const file = path.join(workspaceDir, edit.file);
    const original = await fs.readFile(file, 'utf8');
    // The dependencies do not change with an edit: resolve the lockfile once, as a project that ships one would.
    if (!(await compileWorkspace(workspaceDir, buildDir)).ok) throw new Error('the sample did not compile');
    const lockfile = await lockfileFor((await readCompiledApp(buildDir, workspaceDir)).packageJson);

    const deploy = async (sequence: number) => {
      const compiled = await compileWorkspace(workspaceDir, buildDir);
      if (!compiled.ok) throw new Error('the edited sample did not compile');
      const pkg = await productionNodePackage({ label: `${chaincodeName}_${sequence}`, buildDir, sourceDir: workspaceDir, lockfile });
      await deployChaincode({ connection, chaincode: { name: chaincodeName, version: String(sequence), sequence }, package: pkg.bytes });
    };
    const waitForAnswer = async (matches: (message: string) => boolean) => {
      const deadline = Date.now() + answerTimeoutMs;
      for (;;) {
        const message = await readGhost();
        if (matches(message)) return;
        if (Date.now() > deadline) throw new Error(`the redeployed chaincode did not answer with the new code: ${message}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };

    // Sequence 1 is the first deploy, not a redeploy: not timed.
    let started = performance.now();
    await deploy(1);
    await waitForAnswer((m) => m.includes('does not exist'));
    report('lifecycleFirstDeployMs', Math.round(performance.now() - started), ' ms (production-mode sandbox, sequence 1)');

    const times: number[] = [];
    for (let i = 0; i < redeploys; i++) {
      started = performance.now();
      await fs.writeFile(file, edit.edit(original, i));
      await deploy(i + 2);
      await waitForAnswer((m) => edit.answers(m, i));
      times.push(performance.now() - started);
    }
    const lifecycleRedeployMs = percentile(times, 50);
    report('lifecycleRedeployMs', lifecycleRedeployMs, ` ms (median of ${redeploys}: compile, package, install, approve, commit, until the new code answers)`);
    return { lifecycleRedeployMs };
  } finally {
    gateway?.close();
    await sandboxes.destroy('lifecycle').catch(() => undefined);
    await releaseDisksUnder(dataDir);
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}
