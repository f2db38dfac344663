/**
 * `npm run bench`: speed and memory of the inner loop, measured on real
 * sandboxes. Prints one figure per line as it goes and, as its last line, one
 * JSON object with every figure. Targets live here, not in tests.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NotificationMap } from '../protocol/messages.ts';
import { ensureSandboxImage } from '../server/sandbox/image/buildImage.ts';
import { projectRoot, samplesDir } from '../server/config.ts';
import { createDocker } from '../server/sandbox/docker.ts';
import { createSandboxManager } from '../server/sandbox/sandboxManager.ts';
import { WorkspaceSession } from '../server/session/workspaceSession.ts';
import { measureBrowser } from './browser.ts';
import { measureColdFirstRun } from './coldFirstRun.ts';
import { measureConcurrency } from './concurrency.ts';
import { measureHeavyCompile } from './heavyCompile.ts';
import { measureImportRun } from './importRun.ts';
import { ledgerTargets, measureLedgerView } from './ledgerView.ts';
import { measureTestReplay } from './testReplay.ts';
import { measureLifecycleRedeploy, type EditUnderTest } from './lifecycleRedeploy.ts';
import { percentile } from './percentile.ts';
import { timeReferenceWork } from './referenceWork.ts';
import { timeBreakpointAndStep } from './breakpointTiming.ts';
import { measureKubernetes } from './kubernetes.ts';
import { measureWarmPool } from './warmPool.ts';
import { goTargets, measureGoChaincode } from './goChaincode.ts';
import { measureTwoOrgs, twoOrgTargets } from './twoOrgs.ts';
import { releaseDisksUnder } from '../server/sandbox/ledgerDisk.ts';

/** The one-line edit both the dev-mode restart and the lifecycle redeploy are timed with. */
const oneLineEdit: EditUnderTest = {
  file: path.join('src', 'assetTransferContract.ts'),
  edit: (original, i) => original.replaceAll('does not exist', `does not exist (edit ${i})`),
  answers: (message, i) => message.includes(`(edit ${i})`),
};

export const targets = {
  sandboxReadyMs: 5000,
  restartReadyMs: 500,
  submitP50Ms: 100,
  evaluateP50Ms: 15,
  sandboxMemoryMb: 300,
  healthzMsDuringHeavyCompile: 100,
  warmRunMs: 1000,
  coldFirstRunMs: 4000,
  importRunMs: 5000,
  k8sSandboxReadyMs: 10000,
  ...ledgerTargets,
  ...goTargets,
  ...twoOrgTargets,
};

/** `--only=core,ledger,tests,import,cold,warm,heavy,browser,go,orgs,concurrency,k8s` runs only those sections (`--quick` leaves out concurrency; k8s, which builds and starts a cluster, runs only when named). */
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const section = (name: string) => (only ? only.includes(name) : name !== 'k8s' && (name !== 'concurrency' || !process.argv.includes('--quick')));

/** Every figure; a few are objects (per part, per sandbox count). */
const figures: Record<string, unknown> = {};
function report(name: string, value: number | string | null, unit = ''): void {
  figures[name] = value;
  const target = (targets as Record<string, number>)[name];
  console.log(`${name}: ${value}${unit}${target !== undefined ? ` (target ≤ ${target})` : ''}`);
}

/**
 * Brings the machine to where the bench can run, as `npm start` and `npm test` do (the built
 * client, the sandbox image, Chromium), or stops at once with what to do.
 */
function setUp(): void {
  const setup = spawnSync(process.execPath, [path.join(projectRoot, 'scripts', 'setup.mjs'), '--browser'], { stdio: 'inherit', cwd: projectRoot });
  if (setup.status !== 0) {
    console.error(`Setting up for the bench failed (see above); fix that and run \`npm run setup -- --browser\`, then \`npm run bench\` again.`);
    process.exit(1);
  }
}

async function main(): Promise<void> {
  setUp();
  const docker = createDocker();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ccs-bench-'));
  const instance = `ccs-bench-${randomBytes(3).toString('hex')}`;
  const sandboxes = createSandboxManager({ docker, dataDir, instance });
  const workspaceDir = path.join(dataDir, 'workspaces', 'bench');
  await fs.cp(path.join(samplesDir, 'asset-transfer-ts'), workspaceDir, { recursive: true });
  const stops: NotificationMap['stopped'][] = [];
  const session = new WorkspaceSession({
    workspace: 'bench',
    workspaceDir,
    sandboxes,
    publish: (n) => {
      if (n.method === 'stopped') stops.push(n.params as NotificationMap['stopped']);
    },
  });

  try {
    const image = await ensureSandboxImage(docker, (step, message) => console.log(`[image:${step}] ${message}`));
    report('imageBuildMs', image.buildMs);
    report('referenceWorkMs', timeReferenceWork(), ' ms (fixed CPU work: compare it before comparing figures across runs)');

    if (section('core')) {
      let started = performance.now();
      await sandboxes.start('bench', () => undefined);
      report('sandboxReadyMs', Math.round(performance.now() - started), ' ms');

      const first = await session.run();
      if (!first.ok) throw new Error('the sample did not compile');
      report('chaincodeReadyMs', first.timings.chaincodeReadyMs ?? null, ' ms');
      report('fabricVersion', first.status.fabricVersion ?? null);

      const invoke = (mode: 'submit' | 'evaluate', fn: string, ...args: string[]) => session.invoke({ workspace: 'bench', mode, contract: '', fn, args });

      // Edit saved → the new code answers.
      const file = path.join(workspaceDir, oneLineEdit.file);
      const original = await fs.readFile(file, 'utf8');
      /** Five saves of the one-line edit, `pauseMs` apart (the time a user takes to make the next edit), each until the new code answers. */
      const timeRestarts = async (first: number, pauseMs: number) => {
        const times: number[] = [];
        const parts: { compileMs: number; chaincodeMs: number; answerMs: number }[] = [];
        for (let i = first; i < first + 5; i++) {
          if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
          const logFrom = session.logHistory.length;
          started = performance.now();
          await fs.writeFile(file, oneLineEdit.edit(original, i));
          const outcome = await session.run();
          const ran = performance.now();
          const err = await invoke('evaluate', 'ReadAsset', 'ghost').then(
            () => '',
            (e: unknown) => String(e),
          );
          if (!oneLineEdit.answers(err, i)) throw new Error(`the restarted chaincode did not answer with the new code: ${err}`);
          times.push(performance.now() - started);
          parts.push({ compileMs: outcome.timings.compileMs, chaincodeMs: outcome.timings.chaincodeReadyMs ?? 0, answerMs: Math.round(performance.now() - ran) });
          const agentLines = session.logHistory.slice(logFrom).filter((l) => / started \(pid|answered \d+ ms/.test(l.text));
          console.log(`  restart ${i}: ${Math.round(times.at(-1) ?? 0)} ms; ${agentLines.map((l) => l.text).join('; ')}`);
        }
        const part = (pick: (p: (typeof parts)[number]) => number) => percentile(parts.map(pick), 50);
        const breakdown = `compile ${part((p) => p.compileMs)} ms, chaincode start → answered ${part((p) => p.chaincodeMs)} ms, the edited evaluate ${part((p) => p.answerMs)} ms`;
        return { median: percentile(times, 50), breakdown };
      };
      // Saves as a user makes them: each a while after the last answer, however quick the edit.
      const paced = await timeRestarts(0, 2000);
      report('restartReadyMs', paced.median, ' ms (median of 5, each saved 2 s after the last answer)');
      report('restartBreakdown', paced.breakdown, ' (medians)');
      // Saves fired one after the other, faster than anyone edits: each restart also waits for the
      // previous one's standby to load. Timed from a settled sandbox, like the paced saves.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const atOnce = await timeRestarts(5, 0);
      report('restartReadyBackToBackMs', atOnce.median, ' ms (median of 5, saved one after the other)');
      report('restartBackToBackBreakdown', atOnce.breakdown, ' (medians)');
      await fs.writeFile(file, original);
      await session.run();
      const restartReadyMs = paced.median;

      // The same edit the way it goes without dev mode: redeployed through the Fabric lifecycle.
      const { lifecycleRedeployMs } = await measureLifecycleRedeploy(docker, oneLineEdit, report);
      report('devModeSpeedup', Math.round((lifecycleRedeployMs / restartReadyMs) * 10) / 10, ' (lifecycleRedeployMs / restartReadyMs)');

      const submits: number[] = [];
      for (let i = 0; i < 200; i++) {
        started = performance.now();
        await invoke('submit', 'CreateAsset', `bench${i}`, 'blue', '5', 'Tomoko', '300');
        submits.push(performance.now() - started);
      }
      report('submitP50Ms', percentile(submits, 50), ' ms');
      report('submitP95Ms', percentile(submits, 95), ' ms');

      const evaluates: number[] = [];
      for (let i = 0; i < 200; i++) {
        started = performance.now();
        await invoke('evaluate', 'ReadAsset', `bench${i % 200}`);
        evaluates.push(performance.now() - started);
      }
      report('evaluateP50Ms', percentile(evaluates, 50), ' ms');
      report('evaluateP95Ms', percentile(evaluates, 95), ' ms');

      // Debugger: invoke sent → stopped (with the frame); step request → stopped.
      const source = 'src/assetTransferContract.ts';
      const line = original.split('\n').findIndex((l) => l.includes('const asset: Asset =')) + 1;
      const { hitMs, stepMs } = await timeBreakpointAndStep({ session, stops, source, line, submit: (i) => invoke('submit', 'CreateAsset', `dbg${i}`, 'red', '1', 'Ada', '1') });
      report('breakpointHitMs', hitMs, ' ms (median of 20)');
      report('stepMs', stepMs, ' ms (median of 20)');

      const memory = await session.memoryBytes();
      report('sandboxMemoryMb', memory === undefined ? null : Math.round(memory / 1024 / 1024), ' MB');
    }

    if (section('ledger')) Object.assign(figures, await measureLedgerView(docker, report));
    if (section('tests')) Object.assign(figures, await measureTestReplay(sandboxes, 'bench', workspaceDir, report));
    if (section('import')) Object.assign(figures, await measureImportRun(docker, report));
    if (section('cold')) Object.assign(figures, await measureColdFirstRun(report));
    if (section('warm')) Object.assign(figures, await measureWarmPool(report));
    if (section('heavy')) Object.assign(figures, await measureHeavyCompile(report));
    if (section('browser')) Object.assign(figures, await measureBrowser(report));
    if (section('go')) Object.assign(figures, await measureGoChaincode(docker, report));
    if (section('orgs')) Object.assign(figures, await measureTwoOrgs(docker, report));
    if (section('concurrency')) Object.assign(figures, await measureConcurrency(docker, report));
    if (section('k8s')) Object.assign(figures, await measureKubernetes(docker, report));
  } finally {
    await session.destroy().catch(() => undefined);
    await session.close();
    await releaseDisksUnder(dataDir);
    await fs.rm(dataDir, { recursive: true, force: true });
  }
  console.log(JSON.stringify(figures));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : String(err));
  process.exit(1);
});
