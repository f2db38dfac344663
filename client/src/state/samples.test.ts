import { describe, expect, it } from 'vitest';
import { freeWorkspaceName, languageName, titleNamesLanguage, workspaceNameProblem } from './samples.ts';

const sample = { id: 'asset-transfer-ts', title: 'Asset transfer (TypeScript)', language: 'typescript' as const };
const ws = (id: string) => ({ id, language: 'typescript' as const, modified: '2026-01-01T00:00:00.000Z' });

describe('samples', () => {
  it('suggests the sample id, then the first free numbered name', () => {
    expect(freeWorkspaceName(sample, [])).toBe('asset-transfer-ts');
    expect(freeWorkspaceName(sample, [ws('asset-transfer-ts'), ws('asset-transfer-ts-2')])).toBe('asset-transfer-ts-3');
  });

  it('says what is wrong with a name: empty, malformed, or taken', () => {
    expect(workspaceNameProblem('', [])).toBe('Give the workspace a name.');
    expect(workspaceNameProblem('-x', [])).toMatch(/lowercase letters, digits and dashes/);
    expect(workspaceNameProblem('demo', [ws('demo')])).toMatch(/^A workspace named demo already exists/);
    expect(workspaceNameProblem('demo-2', [ws('demo')])).toBeNull();
  });

  it('names languages as people write them', () => {
    expect(languageName('typescript')).toBe('TypeScript');
    expect(languageName('javascript')).toBe('JavaScript');
    expect(titleNamesLanguage(sample)).toBe(true);
    expect(titleNamesLanguage({ ...sample, title: 'Asset transfer' })).toBe(false);
  });
});
