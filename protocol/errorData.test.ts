import { describe, expect, it } from 'vitest';
import { errorDataOf } from './errorData.ts';
import { ErrorCode } from './errors.ts';

const diagnostic = { file: 'src/index.ts', line: 3, column: 7, severity: 'error', message: "Cannot find name 'x'.", code: 'TS2304' } as const;

describe('error data', () => {
  it('reads the one compile failure shape: { diagnostics }', () => {
    expect(errorDataOf(ErrorCode.CompileFailed, { code: 'compile_failed', data: { diagnostics: [diagnostic] } })).toEqual({ diagnostics: [diagnostic] });
  });

  it('is undefined for another code, or data of another shape', () => {
    expect(errorDataOf(ErrorCode.CompileFailed, { code: 'export', data: { diagnostics: [diagnostic] } })).toBeUndefined();
    expect(errorDataOf(ErrorCode.CompileFailed, { code: 'compile_failed', data: [diagnostic] })).toBeUndefined();
    expect(errorDataOf(ErrorCode.CompileFailed, { code: 'compile_failed', data: { diagnostics: [{ file: 'x' }] } })).toBeUndefined();
    expect(errorDataOf(ErrorCode.CompileFailed, { code: 'compile_failed' })).toBeUndefined();
  });

  it('reads a failed deploy step and the steps before it', () => {
    const steps = [
      { step: 'install', ok: true, message: 'Installed as basic_1.0:ab', durationMs: 900 },
      { step: 'approveformyorg', ok: false, message: 'sequence too large', durationMs: 40 },
    ];
    expect(errorDataOf(ErrorCode.Export, { code: 'export', data: { step: 'approveformyorg', steps } })).toEqual({ step: 'approveformyorg', steps });
    expect(errorDataOf(ErrorCode.Export, { code: 'export', data: { step: 'deploy', steps } })).toBeUndefined();
  });
});
