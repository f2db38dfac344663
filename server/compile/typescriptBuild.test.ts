import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTypeScript, forgetTypeScriptWorkspace } from './typescriptBuild.ts';

// In-process: the incremental build (what a save's recompile is) must give the output a full build gives.
describe('buildTypeScript, built again after edits', { timeout: 60_000 }, () => {
  let workspace: string;
  let builds = 0;

  /** Writes the workspace's files (relative path → text; null deletes). */
  async function write(files: Record<string, string | null>): Promise<void> {
    for (const [name, text] of Object.entries(files)) {
      const file = path.join(workspace, name);
      if (text === null) await fs.rm(file);
      else {
        await fs.mkdir(path.dirname(file), { recursive: true });
        await fs.writeFile(file, text);
      }
    }
  }

  /** Builds into a fresh folder, as each Run does; the folder's files and the errors. */
  async function build(): Promise<{ files: Record<string, string>; errors: string[]; reused: boolean }> {
    const outDir = path.join(workspace, '..', `out-${(builds += 1)}`);
    const result = buildTypeScript(workspace, outDir, true);
    const files: Record<string, string> = {};
    const dist = path.join(outDir, 'dist');
    for (const name of await fs.readdir(dist, { recursive: true }).catch(() => [])) {
      const file = path.join(dist, name);
      if ((await fs.stat(file)).isFile()) files[name.split(path.sep).join('/')] = await fs.readFile(file, 'utf8');
    }
    expect(Object.keys(files).sort()).toEqual(result.emitted.map((e) => e.replace(/^dist\//, '')));
    return { files, errors: result.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.file}: ${d.message}`), reused: result.reusedProgram };
  }

  beforeEach(async () => {
    workspace = path.join(await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'ts-build-'))), 'workspace');
    builds = 0;
    await write({
      'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true } }),
      'src/decorators.ts': 'export function Prop(): PropertyDecorator {\n  return () => undefined;\n}\n',
      'src/ids.ts': 'export type Id = string;\nexport function label(): string {\n  return "asset";\n}\n',
      'src/record.ts': "import { Prop } from './decorators';\nimport { Id, label } from './ids';\nexport class Rec {\n  @Prop() public id!: Id;\n  public name: string = label();\n}\n",
      'src/index.ts': "export { Rec } from './record';\nexport const greeting = 'hello';\n",
    });
  });

  afterEach(async () => {
    forgetTypeScriptWorkspace(workspace);
    await fs.rm(path.dirname(workspace), { recursive: true, force: true });
  });

  it('writes the whole build each time, with the edited file new and the others as they were', async () => {
    const first = await build();
    expect(first.errors).toEqual([]);
    await write({ 'src/index.ts': "export { Rec } from './record';\nexport const greeting = 'hello again';\n" });
    const second = await build();
    expect(second.reused).toBe(true);
    expect(second.errors).toEqual([]);
    expect(second.files['index.js']).toContain('hello again');
    expect(Object.keys(second.files).sort()).toEqual(Object.keys(first.files).sort());
    for (const name of ['decorators.js', 'ids.js', 'record.js', 'record.js.map']) expect(second.files[name]).toBe(first.files[name]);
  });

  it('emits again a file whose decorator metadata names a type that another file changed', async () => {
    expect((await build()).files['record.js']).toContain('__metadata("design:type", String)');
    await write({ 'src/ids.ts': 'export type Id = number;\nexport function label(): string {\n  return "asset";\n}\n' });
    const edited = await build();
    expect(edited.errors).toEqual([]);
    expect(edited.files['record.js']).toContain('__metadata("design:type", Number)');
  });

  it('finds the error an edit causes in a file that was not edited, and builds once it is mended', async () => {
    await build();
    await write({ 'src/ids.ts': 'export type Id = string;\nexport function label(): number {\n  return 1;\n}\n' });
    const broken = await build();
    expect(broken.errors).toEqual([expect.stringMatching(/^src\/record\.ts: Type 'number' is not assignable to type 'string'/)]);
    expect(broken.files).toEqual({});
    await write({ 'src/ids.ts': 'export type Id = string;\nexport function label(): string {\n  return "mended";\n}\n' });
    const mended = await build();
    expect(mended.errors).toEqual([]);
    expect(mended.files['ids.js']).toContain('mended');
  });

  it('drops the output of a file that was deleted', async () => {
    await write({ 'src/extra.ts': 'export const extra = 1;\n' });
    expect(Object.keys((await build()).files)).toContain('extra.js');
    await write({ 'src/extra.ts': null });
    const files = Object.keys((await build()).files);
    expect(files).not.toContain('extra.js');
    expect(files).not.toContain('extra.js.map');
  });

  it('builds every file again when tsconfig.json changes', async () => {
    await write({ 'src/ids.ts': '/** The ID. */\nexport type Id = string;\n// A label.\nexport function label(): string {\n  return "asset";\n}\n' });
    expect((await build()).files['ids.js']).toContain('// A label.');
    await write({ 'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, removeComments: true } }) });
    const rebuilt = await build();
    expect(rebuilt.reused).toBe(false);
    expect(rebuilt.files['ids.js']).not.toContain('// A label.');
  });
});
