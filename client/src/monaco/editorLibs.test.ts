import { describe, expect, it } from 'vitest';
import { editorLibs, stubLibs } from './editorLibs.ts';

const bundled = [{ package: 'fabric-contract-api', filePath: 'file:///node_modules/fabric-contract-api/index.d.ts', content: 'bundled api' }, ...stubLibs()];

describe('the libs the editor sees', () => {
  it('is the bundled typings and stubs while nothing is installed', () => {
    const libs = editorLibs(bundled, undefined);
    expect(libs.map((lib) => lib.filePath)).toEqual([
      'file:///node_modules/fabric-contract-api/index.d.ts',
      'file:///node_modules/@types/studio-stubs/winston.d.ts',
      'file:///node_modules/@types/studio-stubs/long.d.ts',
      'file:///node_modules/@types/studio-stubs/@grpc__grpc-js.d.ts',
      'file:///node_modules/@types/studio-stubs/node-globals.d.ts',
    ]);
    expect(editorLibs(bundled, { key: null, files: [], leftOut: [] })).toEqual(libs);
  });

  it('lets installed packages replace the bundled lib or stub of the same name, and adds the rest', () => {
    const libs = editorLibs(bundled, {
      key: 'k',
      files: [
        { path: 'node_modules/fabric-contract-api/package.json', text: '{"types":"types/index.d.ts"}' },
        { path: 'node_modules/fabric-contract-api/types/index.d.ts', text: 'installed api' },
        { path: 'node_modules/@grpc/grpc-js/build/src/index.d.ts', text: 'grpc' },
        { path: 'node_modules/@types/node/index.d.ts', text: 'node' },
        { path: 'node_modules/json-stringify-deterministic/lib/index.d.ts', text: 'stringify' },
      ],
      leftOut: [],
    });
    expect(libs.map((lib) => lib.filePath)).toEqual([
      'file:///node_modules/@types/studio-stubs/winston.d.ts',
      'file:///node_modules/@types/studio-stubs/long.d.ts',
      'file:///node_modules/fabric-contract-api/package.json',
      'file:///node_modules/fabric-contract-api/types/index.d.ts',
      'file:///node_modules/@grpc/grpc-js/build/src/index.d.ts',
      'file:///node_modules/@types/node/index.d.ts',
      'file:///node_modules/json-stringify-deterministic/lib/index.d.ts',
    ]);
    expect(libs.find((lib) => lib.filePath.endsWith('types/index.d.ts'))?.content).toBe('installed api');
  });
});
