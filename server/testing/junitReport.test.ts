import { describe, expect, it } from 'vitest';
import type { InvokeTestRunResult } from '../../protocol/invokeTests.ts';
import { junitXml, textSummary } from './junitReport.ts';

const run: InvokeTestRunResult = {
  passed: false,
  counts: { passed: 1, failed: 1, files: 2 },
  durationMs: 1500,
  files: [
    { file: 'tests/a.invokes.json', passed: false, invokes: [
      { index: 0, name: 'submit CreateAsset', passed: true, diff: [], durationMs: 20 },
      { index: 1, name: 'evaluate ReadAsset', passed: false, diff: ['result:\n  expected: "<a>"\n  actual:   "b"'], durationMs: 5 },
    ] },
    { file: 'tests/b.invokes.json', passed: false, error: 'tests/b.invokes.json is not valid JSON', invokes: [] },
  ],
};

describe('junitXml', () => {
  it('writes a suite per file and a case per invoke, failures with their diff, escaped', () => {
    const xml = junitXml(run);
    expect(xml).toContain('<testsuites name="chaincode-studio" tests="3" failures="2" time="1.500">');
    expect(xml).toContain('<testcase classname="tests/a.invokes.json" name="1. submit CreateAsset" time="0.020"/>');
    expect(xml).toContain('<failure message="result:">result:\n  expected: &quot;&lt;a&gt;&quot;\n  actual:   &quot;b&quot;</failure>');
    expect(xml).toContain('name="(file)"><failure message="tests/b.invokes.json is not valid JSON">');
  });
});

describe('textSummary', () => {
  it('ends with one summary line', () => {
    expect(textSummary(run).split('\n').at(-1)).toBe('FAILED: 1 invokes passed, 1 failed, in 2 files (1.5 s)');
  });
});
