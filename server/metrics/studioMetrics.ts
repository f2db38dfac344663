/**
 * The server's Prometheus metrics, named and defined once: what a host
 * watches (sandboxes by state, the warm pool, Run and invoke latency, start
 * failures, limit hits, WebSocket connections, dependency installs) plus the
 * Node process's own (CPU, memory, event-loop lag). Each server has its own
 * registry, so two servers in one process (tests) never mix their numbers.
 * The parts of the server record through the narrow hooks below; gauges that
 * describe a state are read from their owner when Prometheus scrapes.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { SandboxPhase } from '../../protocol/messages.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import { limitKinds, type LimitKind } from './limitHits.ts';

/** Every metric name starts with this. */
export const metricPrefix = 'studio_';

/** What a finished Run or invoke came to: `ok`, or the error code it failed with. */
export type Outcome = 'ok' | string;

/** Hooks of the warm pool (server/session's pool): call them as sandboxes join, leave and are claimed. */
export interface PoolMetrics {
  /** The pool now holds `ready` started, unclaimed sandboxes and is starting `starting` more. */
  setSize(size: { readonly ready: number; readonly starting: number }): void;
  /** A Run took a sandbox: `warm` from the pool, `cold` when the pool had none and one was started for it. */
  claimed(outcome: 'warm' | 'cold'): void;
}

/** Hooks of one workspace session. */
export interface SessionMetrics {
  /** A Run (compile, sandbox, chaincode start) ended after `seconds`. */
  runFinished(seconds: number, outcome: Outcome): void;
  /** A submit or evaluate got its answer (or error) after `seconds`. */
  invokeFinished(mode: 'submit' | 'evaluate', seconds: number, outcome: Outcome): void;
  /** The agent reported that a sandbox process ran into a limit. */
  limitHit(kind: LimitKind): void;
}

/** What the metrics read from the server at scrape time. */
export interface MetricSources {
  /** Sessions by the phase of their sandbox. */
  readonly sandboxPhases: () => Iterable<SandboxPhase>;
  /** Open WebSocket connections. */
  readonly webSocketConnections: () => number;
}

export interface StudioMetrics extends SessionMetrics {
  readonly registry: Registry;
  readonly pool: PoolMetrics;
  /** Starting a sandbox failed; `cause` is the error code (docker, image_build, sandbox, timeout, ...). */
  sandboxStartFailed(cause: string): void;
  /** One dependency install of a Run: `installed` (npm ran), `cached` (an earlier install was reused) or `failed`. */
  dependencyInstallFinished(result: 'installed' | 'cached' | 'failed', seconds: number): void;
  /** Where the state gauges read from; until called they read as zero. */
  observe(sources: MetricSources): void;
  /** The exposition in the Prometheus text format, and its content type. */
  render(): Promise<{ contentType: string; text: string }>;
}

const runBucketsSeconds = [0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300];
const invokeBucketsSeconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const installBucketsSeconds = [0.1, 0.5, 1, 5, 10, 30, 60, 180];

export function createStudioMetrics(): StudioMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: metricPrefix });
  let sources: MetricSources | undefined;

  new Gauge({
    name: `${metricPrefix}sandboxes`,
    help: 'Workspace sandboxes by the phase the IDE shows (ready, starting, stopped, error, ...).',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const counts = new Map<string, number>(SandboxPhase.options.map((phase) => [phase, 0]));
      for (const phase of sources?.sandboxPhases() ?? []) counts.set(phase, (counts.get(phase) ?? 0) + 1);
      for (const [state, count] of counts) this.set({ state }, count);
    },
  });
  new Gauge({
    name: `${metricPrefix}websocket_connections`,
    help: 'Open WebSocket connections (browser tabs).',
    registers: [registry],
    collect() {
      this.set(sources?.webSocketConnections() ?? 0);
    },
  });
  const poolSandboxes = new Gauge({
    name: `${metricPrefix}pool_sandboxes`,
    help: 'Sandboxes of the warm pool not yet claimed by a workspace: ready, or still starting.',
    labelNames: ['state'],
    registers: [registry],
  });
  const poolClaims = new Counter({
    name: `${metricPrefix}pool_claims_total`,
    help: 'Runs that needed a sandbox: warm (taken from the pool) or cold (the pool was empty, one was started).',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const runs = new Histogram({
    name: `${metricPrefix}run_duration_seconds`,
    help: 'Run (compile, sandbox start if needed, chaincode start) from request to answer, by outcome (ok or the error code).',
    labelNames: ['outcome'],
    buckets: runBucketsSeconds,
    registers: [registry],
  });
  const invokes = new Histogram({
    name: `${metricPrefix}invoke_duration_seconds`,
    help: 'Submit and evaluate from request to answer, by mode and outcome (ok or the error code).',
    labelNames: ['mode', 'outcome'],
    buckets: invokeBucketsSeconds,
    registers: [registry],
  });
  const startFailures = new Counter({
    name: `${metricPrefix}sandbox_start_failures_total`,
    help: 'Sandbox starts that failed, by cause (the error code: docker, image_build, sandbox, timeout, internal).',
    labelNames: ['cause'],
    registers: [registry],
  });
  const limitHits = new Counter({
    name: `${metricPrefix}sandbox_limit_hits_total`,
    help: 'Limits sandbox processes ran into, as the agent reported them: memory, processes, disk, cpu, log_rate, heap.',
    labelNames: ['kind'],
    registers: [registry],
  });
  const installs = new Histogram({
    name: `${metricPrefix}dependency_install_duration_seconds`,
    help: "Installs of a workspace's npm dependencies, by result: installed (npm ran), cached (reused), failed.",
    labelNames: ['result'],
    buckets: installBucketsSeconds,
    registers: [registry],
  });
  // Series that exist from the start, so a dashboard's rate() has a zero to start from.
  for (const state of ['ready', 'starting']) poolSandboxes.set({ state }, 0);
  for (const outcome of ['warm', 'cold']) poolClaims.inc({ outcome }, 0);
  for (const kind of limitKinds) limitHits.inc({ kind }, 0);

  return {
    registry,
    pool: {
      setSize({ ready, starting }) {
        poolSandboxes.set({ state: 'ready' }, ready);
        poolSandboxes.set({ state: 'starting' }, starting);
      },
      claimed: (outcome) => poolClaims.inc({ outcome }),
    },
    runFinished: (seconds, outcome) => runs.observe({ outcome }, seconds),
    invokeFinished: (mode, seconds, outcome) => invokes.observe({ mode, outcome }, seconds),
    limitHit: (kind) => limitHits.inc({ kind }),
    sandboxStartFailed: (cause) => startFailures.inc({ cause }),
    dependencyInstallFinished: (result, seconds) => installs.observe({ result }, seconds),
    observe(next) {
      sources = next;
    },
    async render() {
      return { contentType: registry.contentType, text: await registry.metrics() };
    },
  };
}

/** The outcome label of a failure: the error code of a StudioError (a fixed set), else `internal`. */
export function outcomeOf(err: unknown): Outcome {
  return err instanceof StudioError ? err.code : ErrorCode.Internal;
}

/**
 * Calls `record` with the seconds `work` took and its outcome once it settles
 * (`outcome` names a fulfilled value's; a rejection's is its error code), and
 * returns `work` as it is.
 */
export function timed<T>(work: Promise<T>, record: (seconds: number, outcome: Outcome) => void, outcome: (value: T) => Outcome = () => 'ok'): Promise<T> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  work.then(
    (value) => record(seconds(), outcome(value)),
    (err: unknown) => record(seconds(), outcomeOf(err)),
  );
  return work;
}
