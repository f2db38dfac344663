/**
 * `chaincode-studio test <workspace dir> [--junit out.xml]`: a team's CI runs
 * the invoke tests of a project folder on a throwaway sandbox, reads the
 * summary, keeps the JUnit XML, and gets exit code 0 when every invoke passed,
 * 1 when one failed, 2 on a usage error. The sandbox and the temporary data
 * folder are removed at the end, and on Ctrl+C or SIGTERM too.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDocker } from '../sandbox/docker.ts';
import { releaseDisksUnder } from '../sandbox/ledgerDisk.ts';
import { createSandboxManager } from '../sandbox/sandboxManager.ts';
import { junitXml, textSummary } from './junitReport.ts';
import { runWorkspaceTests, testSandboxId } from './testRunner.ts';

const usage = 'Usage: chaincode-studio test <workspace dir> [--junit out.xml]';

function parseArgs(argv: string[]): { dir: string; junit?: string } | undefined {
  const [command, ...rest] = argv;
  if (command !== 'test') return undefined;
  let dir: string | undefined;
  let junit: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--junit') junit = rest[++i];
    else if (arg?.startsWith('--junit=')) junit = arg.slice('--junit='.length);
    else if (dir === undefined && arg !== undefined && !arg.startsWith('-')) dir = arg;
    else return undefined;
  }
  if (dir === undefined || (rest.includes('--junit') && !junit)) return undefined;
  return { dir: path.resolve(dir), ...(junit ? { junit: path.resolve(junit) } : {}) };
}

/** The folder's name as a workspace id (the sandbox is named after it). */
function workspaceIdOf(dir: string): string {
  const id = path.basename(dir).toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+/, '').slice(0, 50);
  return id || 'workspace';
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (!args) {
    console.error(usage);
    return 2;
  }
  if (!(await fs.stat(args.dir).catch(() => undefined))?.isDirectory()) {
    console.error(`${args.dir} is not a folder. ${usage}`);
    return 2;
  }
  const workspace = workspaceIdOf(args.dir);
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'chaincode-studio-test-'));
  const instance = process.env.STUDIO_INSTANCE ?? `ccs-ci-${randomBytes(3).toString('hex')}`;
  const sandboxes = createSandboxManager({ docker: createDocker(), dataDir, instance });

  let cleaned: Promise<void> | undefined;
  const cleanup = () =>
    (cleaned ??= (async () => {
      await sandboxes.destroy(testSandboxId(workspace)).catch((err: unknown) => console.error(`Could not remove the test sandbox: ${String(err)}`));
      await releaseDisksUnder(dataDir).catch(() => undefined);
      await fs.rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    // `on`, not `once`: Ctrl+C reaches us from the terminal and again from the npx wrapper; a second one must not kill us mid-cleanup.
    process.on(signal, () => {
      if (cleaned) return;
      console.error(`\n${signal}: removing the test sandbox`);
      void cleanup().finally(() => process.exit(130));
    });
  }

  try {
    const run = await runWorkspaceTests({ workspace, workspaceDir: args.dir, sandboxes, progress: (_step, message) => console.error(`… ${message}`) });
    console.log(textSummary(run));
    if (args.junit) await fs.writeFile(args.junit, junitXml(run));
    return run.passed && run.counts.files > 0 ? 0 : 1;
  } finally {
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
