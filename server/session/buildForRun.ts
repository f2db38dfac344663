/**
 * Run's first steps, before any sandbox is involved: install the workspace's
 * npm dependencies, compile against them, and put them beside the compiled
 * app where the chaincode loads them.
 */
import path from 'node:path';
import type { Diagnostic } from '../../protocol/messages.ts';
import type { DependencyInstaller } from '../npm/dependencyInstaller.ts';
import { compileForRun } from './compileStep.ts';
import { installForRun } from './dependencyStep.ts';
import { placeRuntimeDependencies } from './runtimeDependencies.ts';
import type { SessionReporter } from './sessionReporter.ts';
import { isGoWorkspace } from '../workspace/workspaceFolder.ts';
import { buildGoWorkspace, vetGoWorkspace } from '../golang/goBuild.ts';

export interface BuildForRunOptions {
  readonly workspace: string;
  readonly workspaceDir: string;
  /** The sandbox's build dir: the app goes to `<buildDir>/app`, the packages beside it. */
  readonly buildDir: string;
  readonly installer: DependencyInstaller;
  readonly reporter: SessionReporter;
}

export interface BuildForRunResult {
  readonly ok: boolean;
  readonly diagnostics: Diagnostic[];
  readonly timings: { dependenciesMs?: number; compileMs: number };
  /** The workspace's npm dependencies, when it has any beyond what the studio brings. */
  readonly dependencies?: { packages: number; fromCache: boolean };
  /** Set when the project asks for other Fabric package versions than the sandbox runs. */
  readonly runtimeWarning?: string;
}

export async function buildForRun(options: BuildForRunOptions): Promise<BuildForRunResult> {
  const { workspace, workspaceDir, buildDir, installer, reporter } = options;
  if (await isGoWorkspace(workspaceDir)) return buildGoForRun(options);
  const { installed, runtimeWarning } = await installForRun({ workspace, workspaceDir, installer, reporter });
  const build = await compileForRun({ workspace, workspaceDir, outDir: path.join(buildDir, 'app'), reporter, ...(installed ? { dependenciesDir: installed.nodeModulesDir } : {}) });
  const result = {
    ok: build.ok,
    diagnostics: build.diagnostics,
    timings: { compileMs: build.compileMs, ...(installed ? { dependenciesMs: Math.round(installed.durationMs) } : {}) },
    ...(installed ? { dependencies: { packages: installed.packages, fromCache: installed.fromCache } } : {}),
    ...(runtimeWarning !== undefined ? { runtimeWarning } : {}),
  };
  if (build.ok && (await placeRuntimeDependencies(buildDir, installed)).changed && installed) {
    reporter.log('sandbox', `The chaincode loads the ${installed.packages} installed packages`);
  }
  return result;
}

/**
 * A Go module: built on the host (server/golang/goBuild.ts) into `<buildDir>/app`, staged in
 * `<buildDir>/go-src`; the modules it needs come through the go command, which says what it downloads.
 */
async function buildGoForRun(options: BuildForRunOptions): Promise<BuildForRunResult> {
  const { workspace, workspaceDir, buildDir, reporter } = options;
  const stagingDir = path.join(buildDir, 'go-src');
  let vetNeeded = false;
  const build = await compileForRun({
    workspace,
    workspaceDir,
    outDir: path.join(buildDir, 'app'),
    reporter,
    build: async () => {
      const built = await buildGoWorkspace({
        workspaceDir,
        outDir: path.join(buildDir, 'app'),
        stagingDir,
        onLine: (line) => line.startsWith('go: downloading') && reporter.log('sandbox', line),
      });
      vetNeeded = built.ok && !built.reused;
      return { ...built, language: 'Go' };
    },
  });
  // go vet runs beside the chaincode's start rather than before it: its findings are warnings, and a restart should not wait for them.
  if (vetNeeded) {
    void vetGoWorkspace(stagingDir).then(
      (warnings) => warnings.length > 0 && reporter.publish('diagnostics', { workspace, diagnostics: [...build.diagnostics, ...warnings] }),
      (err: unknown) => reporter.log('sandbox', `go vet did not run: ${err instanceof Error ? err.message : String(err)}`),
    );
  }
  return { ok: build.ok, diagnostics: build.diagnostics, timings: { compileMs: build.compileMs } };
}
