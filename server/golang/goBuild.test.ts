import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplesDir } from '../config.ts';
import { buildGoWorkspace, goBinaryName } from './goBuild.ts';

// The real go command on the Go sample (its modules come from the shared cache that setup fills).
describe('buildGoWorkspace', () => {
  let temp: string;
  beforeAll(async () => {
    temp = await fs.mkdtemp(path.join(os.tmpdir(), 'go-build-test-'));
    await fs.cp(path.join(samplesDir, 'asset-transfer-go'), path.join(temp, 'ws'), { recursive: true });
  });
  afterAll(async () => {
    await fs.rm(temp, { recursive: true, force: true });
  });
  const build = () => buildGoWorkspace({ workspaceDir: path.join(temp, 'ws'), outDir: path.join(temp, 'out', 'app'), stagingDir: path.join(temp, 'staging'), vet: true });

  it('builds the sample, then reuses the build of unchanged files', async () => {
    const first = await build();
    expect(first).toMatchObject({ ok: true, modulePath: 'example.com/asset-transfer', diagnostics: [] });
    expect((await fs.stat(path.join(temp, 'out', 'app', goBinaryName))).mode & 0o111).not.toBe(0);
    expect(await build()).toMatchObject({ ok: true, reused: true });
  }, 300_000);

  it('reports a compile error with its file, line and column, and keeps the last build', async () => {
    const file = path.join(temp, 'ws', 'contract.go');
    const source = await fs.readFile(file, 'utf8');
    const lines = source.split('\n');
    const at = lines.findIndex((l) => l.includes('oldOwner := asset.Owner'));
    lines[at] = '\toldOwner := asset.Ownr';
    await fs.writeFile(file, lines.join('\n'));
    try {
      const result = await build();
      expect(result.ok).toBe(false);
      expect(result.diagnostics[0]).toMatchObject({ file: 'contract.go', line: at + 1, column: 20, severity: 'error' });
      expect(result.diagnostics[0]?.message).toMatch(/Ownr/);
      await expect(fs.access(path.join(temp, 'out', 'app', goBinaryName))).resolves.toBeUndefined();
    } finally {
      await fs.writeFile(file, source);
    }
  }, 300_000);

  it('refuses a replace directive that leaves the workspace before running the go command', async () => {
    const file = path.join(temp, 'ws', 'go.mod');
    const goMod = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, `${goMod}\nreplace example.com/x => ../outside\n`);
    try {
      const result = await build();
      expect(result.ok).toBe(false);
      expect(result.diagnostics).toEqual([expect.objectContaining({ file: 'go.mod', severity: 'error', message: expect.stringMatching(/outside the workspace/) })]);
    } finally {
      await fs.writeFile(file, goMod);
    }
  });
});
