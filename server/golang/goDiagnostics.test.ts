import { describe, expect, it } from 'vitest';
import { goFailureSummary, parseGoOutput } from './goDiagnostics.ts';

const dir = '/data/builds/demo/go-src';

describe('parseGoOutput', () => {
  it('reads compile errors with file, line and column, relative to the workspace', () => {
    const output = ['# example.com/asset-transfer', './contract.go:42:9: undefined: fooBar', 'lib/x.go:3:1: syntax error: non-declaration statement outside function body', ''].join('\n');
    expect(parseGoOutput(output, dir, 'error', 'go build')).toEqual([
      { file: 'contract.go', line: 42, column: 9, severity: 'error', message: 'undefined: fooBar', code: 'go build' },
      { file: 'lib/x.go', line: 3, column: 1, severity: 'error', message: 'syntax error: non-declaration statement outside function body', code: 'go build' },
    ]);
  });

  it('joins indented continuation lines and makes absolute paths in the build folder relative', () => {
    const output = [`${dir}/contract.go:10:2: cannot use x (variable of type int) as string value in return statement`, '\thave (int)', '\twant (string)'].join('\n');
    const [d] = parseGoOutput(output, dir, 'error', 'go build');
    expect(d?.file).toBe('contract.go');
    expect(d?.message).toBe('cannot use x (variable of type int) as string value in return statement\nhave (int)\nwant (string)');
  });

  it('reads vet lines, go.mod errors without a column, and hides the module cache folder', () => {
    const output = ['# example.com/m', '# [example.com/m]', 'vet: ./main.go:5:2: fmt.Printf format %d has arg s of wrong type string', `${dir}/go.mod:3: unknown directive: requir`, '/root/go/pkg/mod/github.com/x/y@v1/z.go:1:1: oops'].join('\n');
    const ds = parseGoOutput(output, dir, 'warning', 'go vet');
    expect(ds.map((d) => [d.file, d.line, d.column])).toEqual([
      ['main.go', 5, 2],
      ['go.mod', 3, 1],
      ['pkg/mod/github.com/x/y@v1/z.go', 1, 1],
    ]);
  });

  it('summarises output that names no position', () => {
    expect(goFailureSummary(`go: downloading x v1\ngo: example.com/nope@v1.0.0: reading ${dir}/x: 404 Not Found\n`, dir)).toBe('go: example.com/nope@v1.0.0: reading x: 404 Not Found');
  });
});
