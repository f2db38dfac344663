/**
 * Bringing a project in: a 20-file TypeScript project with two npm packages
 * (the asset-transfer-basic fixture plus generated modules), uploaded as a
 * .tar.gz through workspace/import, then Run until the chaincode answers.
 * Once with a cold dependency cache (npm downloads everything from the
 * registry: `dependencyInstallMs`), then, into a new workspace, with the
 * dependencies cached (`importRunMs`). Each includes its sandbox's start.
 *
 * Alone: `node --import tsx bench/importRun.ts` prints the figures and one JSON line.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type Docker from 'dockerode';
import type { ImportArchive } from '../protocol/messages.ts';
import { projectRoot, samplesDir } from '../server/config.ts';
import { createDependencyInstaller, type DependencyInstaller } from '../server/npm/dependencyInstaller.ts';
import { createDocker } from '../server/sandbox/docker.ts';
import { ensureSandboxImage } from '../server/sandbox/image/buildImage.ts';
import { releaseDisksUnder } from '../server/sandbox/ledgerDisk.ts';
import { createSandboxManager, type SandboxManager } from '../server/sandbox/sandboxManager.ts';
import { WorkspaceSession } from '../server/session/workspaceSession.ts';
import { importWorkspace } from '../server/workspace/importArchive.ts';
import { createWorkspaceStore, type WorkspaceStore } from '../server/workspace/workspaceStore.ts';
import { filesUnder, projectArchive } from '../tests/kit/projectArchive.ts';

type Report = (name: string, value: number | string | null, unit?: string) => void;

const fixture = path.join(projectRoot, 'tests', 'fixtures', 'imported-ts');
const projectFiles = 20;

/** The fixture plus small validation modules, up to {@link projectFiles} files. */
async function twentyFileProject(): Promise<ImportArchive> {
  const files: Record<string, Buffer | string> = await filesUnder(fixture);
  for (let i = 1; Object.keys(files).length < projectFiles; i++) {
    const n = String(i).padStart(2, '0');
    files[`src/validation/rule${n}.ts`] =
      `import { Asset } from '../asset';\n\n/** Rule ${n}: the asset's size is at least ${i}. */\n` +
      `export function rule${n}(asset: Asset): string | undefined {\n  return asset.Size >= ${i} ? undefined : \`size below ${i}\`;\n}\n`;
  }
  return projectArchive(files, 'tar.gz', 'asset-transfer-basic-main');
}

interface Measured {
  readonly ms: number;
  readonly fromCache: boolean | undefined;
  /** Where the time went: install, compile, sandbox start, chaincode ready. */
  readonly steps: string;
}

/** Import → Run → an evaluate answers, in a new workspace `name`; its sandbox is destroyed afterwards. */
async function importAndAnswer(store: WorkspaceStore, sandboxes: SandboxManager, installer: DependencyInstaller, name: string, archive: ImportArchive): Promise<Measured> {
  const started = performance.now();
  await importWorkspace(store, { name, archive });
  const session = new WorkspaceSession({ workspace: name, workspaceDir: store.dir(name), sandboxes, dependencies: installer, publish: () => undefined });
  try {
    const outcome = await session.run();
    if (!outcome.ok) throw new Error(`the imported project did not compile: ${JSON.stringify(outcome.diagnostics.slice(0, 3))}`);
    const answer = await session.invoke({ workspace: name, mode: 'evaluate', contract: '', fn: 'AssetExists', args: ['asset1'] });
    if (answer.result !== 'false') throw new Error(`the imported chaincode answered ${answer.result}`);
    const { dependenciesMs, compileMs, sandboxMs, chaincodeReadyMs } = outcome.timings;
    const steps = `install ${dependenciesMs ?? '?'} ms, compile ${compileMs} ms, sandbox ${sandboxMs ?? '?'} ms, chaincode ready ${chaincodeReadyMs ?? '?'} ms`;
    return { ms: Math.round(performance.now() - started), fromCache: outcome.dependencies?.fromCache, steps };
  } finally {
    await session.destroy().catch(() => undefined);
    await session.close();
  }
}

export async function measureImportRun(docker: Docker, report: Report): Promise<Record<string, number | null>> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ccs-bench-import-'));
  const sandboxes = createSandboxManager({ docker, dataDir, instance: `ccs-import-${randomBytes(3).toString('hex')}` });
  const store = createWorkspaceStore({ dataDir, samplesDir });
  // A cache of its own, empty: the first import downloads every package.
  const installer = createDependencyInstaller({ cacheRoot: path.join(dataDir, 'dependency-cache') });
  try {
    const archive = await twentyFileProject();
    const cold = await importAndAnswer(store, sandboxes, installer, 'import-cold', archive);
    if (cold.fromCache !== false) throw new Error('the cold run found its dependencies cached');
    report('dependencyInstallMs', cold.ms, ` ms (import → answering with a cold dependency cache: ${cold.steps})`);
    const warm = await importAndAnswer(store, sandboxes, installer, 'import-warm', archive);
    if (warm.fromCache !== true) throw new Error('the second run installed its dependencies again');
    report('importRunMs', warm.ms, ` ms (import → answering, dependencies cached: ${warm.steps})`);
    return { dependencyInstallMs: cold.ms, importRunMs: warm.ms };
  } finally {
    await releaseDisksUnder(dataDir);
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const docker = createDocker();
  const figures: Record<string, number | null> = {};
  ensureSandboxImage(docker, (step, message) => console.log(`[image:${step}] ${message}`))
    .then(() => measureImportRun(docker, (name, value, unit = '') => console.log(`${name}: ${value}${unit}`)))
    .then((measured) => {
      Object.assign(figures, measured);
      console.log(JSON.stringify(figures));
    })
    .catch((err: unknown) => {
      console.error(err instanceof Error ? err.stack : String(err));
      process.exit(1);
    });
}
