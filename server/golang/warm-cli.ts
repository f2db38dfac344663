/**
 * `npm run setup` step: builds the Go sample once, as Run does (debug flags, vet), so the
 * modules it needs are in the shared module cache and its packages in the build cache: the
 * first Go Run then builds in seconds, and Go tests on a fresh clone need no download.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { goCacheDir, samplesDir } from '../config.ts';
import { buildGoWorkspace } from './goBuild.ts';

const sample = path.join(samplesDir, 'asset-transfer-go');
const pin = createHash('sha256')
  .update(await fs.readFile(path.join(sample, 'go.mod')))
  .update(await fs.readFile(path.join(sample, 'go.sum')))
  .digest('hex')
  .slice(0, 12);
const marker = path.join(goCacheDir, `.warm-${pin}`);
const warm = await fs.access(marker).then(
  () => true,
  () => false,
);
if (warm) process.exit(0);
const temp = await fs.mkdtemp(path.join(os.tmpdir(), 'studio-go-warm-'));
try {
  const result = await buildGoWorkspace({
    workspaceDir: sample,
    outDir: path.join(temp, 'app'),
    stagingDir: path.join(temp, 'staging'),
    vet: true,
    onLine: (line) => line.startsWith('go: downloading') && console.log(`  ${line}`),
  });
  if (!result.ok) throw new Error(`the Go sample did not build: ${result.diagnostics.map((d) => `${d.file}:${d.line} ${d.message}`).join('; ')}`);
  await fs.writeFile(marker, new Date().toISOString());
  console.log(`  Go sample built in ${(result.durationMs / 1000).toFixed(1)} s; the Go caches are warm.`);
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
} finally {
  await fs.rm(temp, { recursive: true, force: true });
}
