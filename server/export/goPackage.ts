/**
 * `golang` chaincode packages as `peer lifecycle chaincode package --lang
 * golang` writes them for a Go module (Fabric's golang platform,
 * `GetDeploymentPayload`): every file of the module root under `src/`
 * (hidden folders left out), `META-INF/` at the code tar's root, directory
 * entries first (sorted, rwxr-xr-x, owner 500), then the files sorted by
 * name; metadata.json's `path` is the module's import path. The peer's
 * golang builder compiles it with `go build -mod=readonly` (or from
 * `vendor/`). The export packages the module vendored
 * ({@link vendoredGoPackage}), so a peer without network builds it too.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, StudioError } from '../errors.ts';
import { readGoModule } from '../golang/goModule.ts';
import { vendorGoModule } from '../golang/goVendor.ts';
import { assemble, metadataJson, validateLabel, type ChaincodePackage } from './chaincodePackage.ts';
import type { TarFile } from './fabricTar.ts';
import { compareBytes } from './sourceTree.ts';

/** Reads the Go module at `dir` and builds its `golang` package. */
export async function goPackageFromDir(options: { readonly label: string; readonly dir: string }): Promise<ChaincodePackage> {
  validateLabel(options.label);
  const goMod = await fs.readFile(path.join(options.dir, 'go.mod'), 'utf8').catch(() => {
    throw new StudioError(ErrorCode.Export, 'A golang package needs a go.mod at the root of the workspace.');
  });
  const mod = readGoModule(goMod);
  if (mod.problems.length > 0) throw new StudioError(ErrorCode.Export, `go.mod cannot be packaged: ${mod.problems.map((p) => `line ${p.line}: ${p.message}`).join('; ')}`);
  const files = (await readGoModuleFiles(options.dir)).map((file) => (file.path.startsWith('META-INF/') ? file : { path: `src/${file.path}`, content: file.content }));
  files.sort((a, b) => compareBytes(a.path, b.path));
  const directories = new Set<string>();
  for (const file of files) {
    for (let dir = path.posix.dirname(file.path); dir !== '.' && !directories.has(dir); dir = path.posix.dirname(dir)) directories.add(dir);
  }
  const entries: TarFile[] = [...[...directories].sort(compareBytes).map((dir) => ({ path: dir, content: new Uint8Array(), directory: true })), ...files];
  return assemble(options.label, 'golang', metadataJson({ path: mod.modulePath, type: 'golang', label: options.label }), entries);
}

/**
 * The `golang` package of the module a Go build staged in `<stagingDir>/src` (see goBuild.ts), vendored
 * first: what `go mod vendor && peer lifecycle chaincode package --lang golang` makes of it.
 * Vendors in a folder of its own under `workDir`, removed after.
 */
export async function vendoredGoPackage(options: { readonly label: string; readonly stagingDir: string; readonly workDir: string }): Promise<ChaincodePackage> {
  validateLabel(options.label);
  const vendoredDir = path.join(options.workDir, `go-vendored-${randomBytes(4).toString('hex')}`);
  try {
    return await goPackageFromDir({ label: options.label, dir: await vendorGoModule({ stagingDir: options.stagingDir, vendoredDir }) });
  } finally {
    await fs.rm(vendoredDir, { recursive: true, force: true });
  }
}

/**
 * The files of the Go module at `dir` that the CLI packages, paths relative to it: hidden folders
 * (.git, the studio's .studio) stay out, and hidden files inside META-INF; links are not followed.
 */
export async function readGoModuleFiles(dir: string): Promise<TarFile[]> {
  const files: TarFile[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const entry of await fs.readdir(path.join(dir, rel), { withFileTypes: true })) {
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.')) await walk(childRel);
      } else if (entry.isFile()) {
        if (childRel.startsWith('META-INF/') && entry.name.startsWith('.')) continue;
        files.push({ path: childRel, content: await fs.readFile(path.join(dir, childRel)) });
      }
    }
  };
  await walk('');
  return files;
}
