/**
 * Vendors a Go module for its `golang` package, as Fabric's samples do
 * before `peer lifecycle chaincode package` (`go mod vendor`): the package
 * then carries its dependencies, so a peer builds it without reaching a
 * module proxy (Fabric's golang platform builds with `-mod=vendor` when
 * vendor/ is there; the sandbox's offline golang builder needs it). Runs on
 * a copy of the sources the last build staged (go.sum completed there),
 * under the same limits as every go command of ours.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, StudioError } from '../errors.ts';
import { runGo } from './goCommand.ts';
import { goFailureSummary } from './goDiagnostics.ts';

/**
 * Copies the module staged in `<stagingDir>/src` to `vendoredDir` (replaced whole) and runs
 * `go mod vendor` there; returns `vendoredDir`. go.mod and go.sum are the ones vendor/ matches.
 */
export async function vendorGoModule(options: { readonly stagingDir: string; readonly vendoredDir: string }): Promise<string> {
  const src = path.join(options.stagingDir, 'src');
  await fs.rm(options.vendoredDir, { recursive: true, force: true });
  // Only the module's own files: a vendor/ the workspace had is made again from go.mod.
  await fs.cp(src, options.vendoredDir, { recursive: true, filter: (file) => path.relative(src, file) !== 'vendor' });
  const vendored = await runGo(['mod', 'vendor'], { cwd: options.vendoredDir });
  if (vendored.code !== 0) {
    throw new StudioError(ErrorCode.Export, `go mod vendor failed, so the golang package cannot carry its dependencies: ${goFailureSummary(vendored.output, options.vendoredDir)}`);
  }
  return options.vendoredDir;
}
