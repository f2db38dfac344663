import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { keepInToolchain } from './goToolchain.ts';

describe('keepInToolchain', () => {
  const keep = (rel: string) => keepInToolchain(rel.split('/').join(path.sep), 'linux_amd64');

  it('keeps the go command, the compiler, linker and assembler, and the standard library', () => {
    for (const rel of ['', 'VERSION', 'go.env', 'bin', 'bin/go', 'pkg', 'pkg/include/textflag.h', 'pkg/tool', 'pkg/tool/linux_amd64', 'pkg/tool/linux_amd64/compile', 'pkg/tool/linux_amd64/link', 'pkg/tool/linux_amd64/asm', 'src/go.mod', 'src/fmt/print.go', 'src/vendor/modules.txt', 'src/runtime/asm_amd64.s']) {
      expect([rel, keep(rel)]).toEqual([rel, true]);
    }
  });

  it('leaves out tests, testdata, cmd/, other tools and platforms, docs', () => {
    for (const rel of ['bin/gofmt', 'pkg/tool/linux_amd64/vet', 'pkg/tool/linux_amd64/cgo', 'pkg/tool/linux_arm64/compile', 'src/cmd', 'src/cmd/go/main.go', 'src/fmt/fmt_test.go', 'src/fmt/testdata', 'src/image/testdata/x.png', 'test', 'doc', 'api', 'misc', 'lib']) {
      expect([rel, keep(rel)]).toEqual([rel, false]);
    }
  });
});
