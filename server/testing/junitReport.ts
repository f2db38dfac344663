/**
 * A test run as JUnit XML, the format CI systems show: one <testsuite> per
 * test file, one <testcase> per invoke, the diff as the failure's text.
 */
import type { InvokeTestRunResult } from '../../protocol/invokeTests.ts';

function escapeXml(text: string): string {
  // Characters XML 1.0 cannot hold at all are dropped; the rest escaped.
  // eslint-disable-next-line no-control-regex
  return text.replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '').replace(/[<>&"']/g, (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot', "'": 'apos' }[c]};`);
}

export function junitXml(run: InvokeTestRunResult, suiteName = 'chaincode-studio'): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const failures = run.files.reduce((n, f) => n + f.invokes.filter((c) => !c.passed).length + (f.error ? 1 : 0), 0);
  const tests = run.files.reduce((n, f) => n + f.invokes.length + (f.error ? 1 : 0), 0);
  lines.push(`<testsuites name="${escapeXml(suiteName)}" tests="${tests}" failures="${failures}" time="${(run.durationMs / 1000).toFixed(3)}">`);
  for (const file of run.files) {
    const fileFailures = file.invokes.filter((c) => !c.passed).length + (file.error ? 1 : 0);
    lines.push(`  <testsuite name="${escapeXml(file.file)}" tests="${file.invokes.length + (file.error ? 1 : 0)}" failures="${fileFailures}">`);
    if (file.error) lines.push(`    <testcase classname="${escapeXml(file.file)}" name="(file)"><failure message="${escapeXml(file.error)}">${escapeXml(file.error)}</failure></testcase>`);
    for (const check of file.invokes) {
      const open = `    <testcase classname="${escapeXml(file.file)}" name="${escapeXml(`${check.index + 1}. ${check.name}`)}" time="${(check.durationMs / 1000).toFixed(3)}"`;
      if (check.passed) lines.push(`${open}/>`);
      else lines.push(`${open}><failure message="${escapeXml(check.diff[0]?.split('\n')[0] ?? 'failed')}">${escapeXml(check.diff.join('\n'))}</failure></testcase>`);
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

/** The run as the terminal shows it: each failure with its diff, then one summary line. */
export function textSummary(run: InvokeTestRunResult): string {
  const out: string[] = [];
  for (const file of run.files) {
    out.push(`${file.passed ? 'PASS' : 'FAIL'} ${file.file}`);
    if (file.error) out.push(`  ${file.error}`);
    for (const check of file.invokes) {
      out.push(`  ${check.passed ? 'ok  ' : 'FAIL'} ${check.index + 1}. ${check.name} (${check.durationMs} ms)`);
      for (const d of check.diff) out.push(d.replace(/^/gm, '       '));
    }
  }
  const { passed, failed, files } = run.counts;
  out.push(files === 0 ? 'No test files (tests/*.invokes.json) found.' : `${failed === 0 && run.passed ? 'PASSED' : 'FAILED'}: ${passed} invokes passed, ${failed} failed, in ${files} files (${(run.durationMs / 1000).toFixed(1)} s)`);
  return out.join('\n');
}
