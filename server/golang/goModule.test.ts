import { describe, expect, it } from 'vitest';
import { readGoModule } from './goModule.ts';

describe('readGoModule', () => {
  it('reads the module path', () => {
    const mod = readGoModule('// comment\nmodule example.com/asset-transfer // trailing\n\ngo 1.24\n');
    expect(mod).toEqual({ modulePath: 'example.com/asset-transfer', problems: [] });
  });

  it('accepts replacements inside the workspace and module replacements', () => {
    const mod = readGoModule(['module m', 'replace example.com/a => ./vendor/a', 'replace (', '  example.com/b v1.0.0 => example.com/c v1.2.0', '  example.com/d => ./lib/../d', ')'].join('\n'));
    expect(mod.problems).toEqual([]);
  });

  it('refuses replacements that leave the workspace, naming the line', () => {
    const mod = readGoModule(['module m', '', 'replace example.com/a => ../a', 'replace (', '  example.com/b => /etc', '  example.com/c => ./x/../../c', ')'].join('\n'));
    expect(mod.problems.map((p) => [p.file, p.line, p.severity])).toEqual([
      ['go.mod', 3, 'error'],
      ['go.mod', 5, 'error'],
      ['go.mod', 6, 'error'],
    ]);
    expect(mod.problems[1]?.message).toMatch(/replace points at \/etc, outside the workspace/);
  });

  it('says when there is no module line', () => {
    expect(readGoModule('go 1.24\n').problems[0]?.message).toMatch(/no module line/);
  });
});
