import { describe, expect, it } from 'vitest';
import { parsePrometheusText, sampleSum } from '../../tests/kit/prometheusText.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { createStudioMetrics, outcomeOf, timed } from './studioMetrics.ts';

describe('studio metrics', () => {
  it('renders every metric in the Prometheus text format, with the states read at scrape time', async () => {
    const metrics = createStudioMetrics();
    let phases = ['ready', 'ready', 'stopped'] as const;
    metrics.observe({ sandboxPhases: () => phases, webSocketConnections: () => 3 });
    const { contentType, text } = await metrics.render();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusText(text);
    expect(families.get('studio_sandboxes')?.type).toBe('gauge');
    expect(sampleSum(families, 'studio_sandboxes', { state: 'ready' })).toBe(2);
    expect(sampleSum(families, 'studio_sandboxes', { state: 'stopped' })).toBe(1);
    expect(sampleSum(families, 'studio_sandboxes', { state: 'error' })).toBe(0);
    expect(sampleSum(families, 'studio_websocket_connections')).toBe(3);
    // The process's own figures come along.
    expect(families.get('studio_process_cpu_seconds_total')?.type).toBe('counter');
    expect(sampleSum(families, 'studio_nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    // Zero series exist before anything happened, so rate() has a start.
    expect(sampleSum(families, 'studio_sandbox_limit_hits_total', { kind: 'memory' })).toBe(0);
    expect(sampleSum(families, 'studio_pool_claims_total', { outcome: 'warm' })).toBe(0);

    phases = ['error'] as unknown as typeof phases;
    const again = parsePrometheusText((await metrics.render()).text);
    expect(sampleSum(again, 'studio_sandboxes', { state: 'ready' })).toBe(0);
    expect(sampleSum(again, 'studio_sandboxes', { state: 'error' })).toBe(1);
  });

  it('counts and times what the server reports through its hooks', async () => {
    const metrics = createStudioMetrics();
    metrics.runFinished(1.5, 'ok');
    metrics.runFinished(0.3, 'compile_failed');
    metrics.invokeFinished('evaluate', 0.004, 'ok');
    metrics.invokeFinished('evaluate', 0.02, 'chaincode');
    metrics.invokeFinished('submit', 0.08, 'ok');
    metrics.sandboxStartFailed('timeout');
    metrics.limitHit('log_rate');
    metrics.limitHit('log_rate');
    metrics.dependencyInstallFinished('cached', 0.05);
    metrics.pool.setSize({ ready: 2, starting: 1 });
    metrics.pool.claimed('warm');
    metrics.pool.claimed('cold');
    metrics.pool.claimed('warm');
    const families = parsePrometheusText((await metrics.render()).text);

    expect(families.get('studio_run_duration_seconds')?.type).toBe('histogram');
    expect(sampleSum(families, 'studio_run_duration_seconds_count')).toBe(2);
    expect(sampleSum(families, 'studio_run_duration_seconds_sum', { outcome: 'ok' })).toBe(1.5);
    expect(sampleSum(families, 'studio_run_duration_seconds_bucket', { outcome: 'ok', le: '1' })).toBe(0);
    expect(sampleSum(families, 'studio_run_duration_seconds_bucket', { outcome: 'ok', le: '2' })).toBe(1);
    expect(sampleSum(families, 'studio_invoke_duration_seconds_count', { mode: 'evaluate' })).toBe(2);
    expect(sampleSum(families, 'studio_invoke_duration_seconds_count', { mode: 'evaluate', outcome: 'chaincode' })).toBe(1);
    expect(sampleSum(families, 'studio_invoke_duration_seconds_bucket', { mode: 'evaluate', outcome: 'ok', le: '0.005' })).toBe(1);
    expect(sampleSum(families, 'studio_invoke_duration_seconds_count', { mode: 'submit' })).toBe(1);
    expect(sampleSum(families, 'studio_sandbox_start_failures_total', { cause: 'timeout' })).toBe(1);
    expect(sampleSum(families, 'studio_sandbox_limit_hits_total', { kind: 'log_rate' })).toBe(2);
    expect(sampleSum(families, 'studio_dependency_install_duration_seconds_count', { result: 'cached' })).toBe(1);
    expect(sampleSum(families, 'studio_pool_sandboxes', { state: 'ready' })).toBe(2);
    expect(sampleSum(families, 'studio_pool_sandboxes', { state: 'starting' })).toBe(1);
    expect(sampleSum(families, 'studio_pool_claims_total', { outcome: 'warm' })).toBe(2);
    expect(sampleSum(families, 'studio_pool_claims_total', { outcome: 'cold' })).toBe(1);
  });

  it('keeps two servers apart: each has its own registry', async () => {
    const one = createStudioMetrics();
    const two = createStudioMetrics();
    one.limitHit('cpu');
    expect(sampleSum(parsePrometheusText((await two.render()).text), 'studio_sandbox_limit_hits_total', { kind: 'cpu' })).toBe(0);
    expect(sampleSum(parsePrometheusText((await one.render()).text), 'studio_sandbox_limit_hits_total', { kind: 'cpu' })).toBe(1);
  });

  it('labels a failure with its error code, and anything else as internal', async () => {
    expect(outcomeOf(new StudioError(ErrorCode.Chaincode, 'no such asset'))).toBe('chaincode');
    expect(outcomeOf(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe('internal');
    const seen: [number, string][] = [];
    await timed(Promise.resolve(7), (s, o) => seen.push([s, o]));
    await expect(timed(Promise.reject(new StudioError(ErrorCode.Timeout, 'late')), (s, o) => seen.push([s, o]))).rejects.toThrow('late');
    await new Promise((r) => setImmediate(r));
    expect(seen.map(([, o]) => o)).toEqual(['ok', 'timeout']);
    expect(seen.every(([s]) => s >= 0)).toBe(true);
  });
});
