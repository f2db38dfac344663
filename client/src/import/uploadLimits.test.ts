import { describe, expect, it } from 'vitest';
import { maxWorkspaceBytes } from '../../../protocol/workspaceLimits.ts';
import { archiveProblem, uploadSizeProblem } from './uploadLimits.ts';

describe('upload limits', () => {
  it('lets an archive up to the workspace size limit through', () => {
    expect(archiveProblem({ name: 'p.zip', size: maxWorkspaceBytes })).toBeNull();
    expect(archiveProblem({ name: 'p.tgz', size: 10 })).toBeNull();
  });

  it('names the limit for anything larger, and refuses what is no archive', () => {
    expect(archiveProblem({ name: 'p.tar.gz', size: maxWorkspaceBytes + 1 })).toEqual({
      code: 'limit',
      message: expect.stringContaining(`"p.tar.gz" is 20.0 MB; an upload may be at most 20 MB (${maxWorkspaceBytes} bytes)`),
    });
    expect(uploadSizeProblem('The folder, zipped,', 30 * 1024 * 1024)?.message).toMatch(/^The folder, zipped, is 30\.0 MB; .*at most 20 MB/);
    expect(archiveProblem({ name: 'p.rar', size: 1 })).toMatchObject({ code: 'bad_file', message: expect.stringContaining('not a .zip') });
  });
});
