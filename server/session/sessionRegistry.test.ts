import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode, StudioError } from '../errors.ts';
import type { SandboxDriver, SandboxSummary } from '../sandbox/sandboxDriver.ts';
import { createSessionRegistry, type RegisteredSession, type SessionRegistry } from './sessionRegistry.ts';

/** A session whose sandbox runs once `fn` of whileStarting has run; records what the registry asked of it. */
class FakeSession implements RegisteredSession {
  sandboxRunning = false;
  transactionsInFlight = 0;
  lastActivityMs = Date.now();
  readonly calls: string[] = [];
  constructor(readonly workspace: string) {}
  async reattach(): Promise<void> {
    this.calls.push('reattach');
    this.sandboxRunning = true;
  }
  async stop(options: { idle?: boolean }): Promise<unknown> {
    this.calls.push(options.idle ? 'stop idle' : 'stop');
    this.sandboxRunning = false;
    return undefined;
  }
  async destroy(): Promise<unknown> {
    this.calls.push('destroy');
    this.sandboxRunning = false;
    return undefined;
  }
  async close(): Promise<void> {
    this.calls.push('close');
  }
}

/** A driver that only lists and destroys: the registry starts nothing itself. */
function fakeDriver(listed: SandboxSummary[]): SandboxDriver & { destroyed: string[] } {
  const destroyed: string[] = [];
  const unused = () => Promise.reject(new Error('not used by the registry'));
  return {
    instance: 'fake',
    destroyed,
    buildDir: (workspace) => `/nowhere/${workspace}`,
    start: unused,
    find: unused,
    stop: unused,
    async destroy(workspace) {
      destroyed.push(workspace);
    },
    list: async () => listed,
    memoryBytes: async () => undefined,
    exists: unused,
    spares: { start: unused, claim: unused, destroy: unused, list: unused },
  };
}

interface Setup {
  registry: SessionRegistry<FakeSession>;
  driver: ReturnType<typeof fakeDriver>;
  made: Map<string, FakeSession>;
}

/** Spares as the registry sees them: a count, and one given up on request. */
function fakeSpares(count: number): { count: number; yielded: number; yieldOne(): Promise<void> | undefined; check(): void } {
  return {
    count,
    yielded: 0,
    check: () => undefined,
    yieldOne() {
      if (this.count === 0) return undefined;
      this.count--;
      this.yielded++;
      return Promise.resolve();
    },
  };
}

function setup(
  options: {
    maxPerUser?: number;
    maxTotal?: number;
    idleStopMs?: number;
    existing?: string[];
    listed?: SandboxSummary[];
    subscribers?: Record<string, number>;
    spares?: ReturnType<typeof fakeSpares>;
  } = {},
): Setup {
  const made = new Map<string, FakeSession>();
  const existing = new Set(options.existing ?? ['a', 'b', 'c', 'd', 'e']);
  const driver = fakeDriver(options.listed ?? []);
  const registry = createSessionRegistry<FakeSession>({
    sandboxes: driver,
    workspaceExists: async (workspace) => existing.has(workspace),
    createSession: (workspace) => {
      const s = new FakeSession(workspace);
      made.set(workspace, s);
      return s;
    },
    subscriberCount: (workspace) => options.subscribers?.[workspace] ?? 0,
    maxPerUser: options.maxPerUser ?? 3,
    maxTotal: options.maxTotal ?? 20,
    idleStopMs: options.idleStopMs ?? 0,
    ...(options.spares ? { spares: options.spares } : {}),
  });
  return { registry, driver, made };
}

/** Starts the sandbox of `workspace` for `owner` the way Run does: it runs once the start settles. */
async function start(registry: SessionRegistry<FakeSession>, workspace: string, owner: string): Promise<void> {
  const s = await registry.session(workspace);
  await registry.whileStarting(s, owner, async () => {
    s.sandboxRunning = true;
  });
}

async function limitError(promise: Promise<unknown>): Promise<StudioError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StudioError);
  expect((err as StudioError).code).toBe(ErrorCode.Limit);
  return err as StudioError;
}

let registries: SessionRegistry<FakeSession>[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(registries.map((r) => r.close()));
  registries = [];
});

describe('the sandbox caps', () => {
  it('refuses a second token past the global cap although each token is under its own cap', async () => {
    const { registry } = setup({ maxPerUser: 3, maxTotal: 2 });
    registries.push(registry);
    await start(registry, 'a', 'workspace:a');
    await start(registry, 'b', 'workspace:b');
    const err = await limitError(start(registry, 'c', 'workspace:c'));
    expect(err.message).toMatch(/limit is 2 running sandboxes in all\. None of them is yours: .*STUDIO_MAX_SANDBOXES_TOTAL/);
    expect(err.data).toEqual({ limit: 'server', max: 2, running: [] });
  });

  it('names the caller\'s own sandboxes, and Stop sandbox as what frees a slot, at the global cap', async () => {
    const { registry } = setup({ maxPerUser: 3, maxTotal: 2 });
    registries.push(registry);
    await start(registry, 'a', 'main');
    await start(registry, 'b', 'workspace:b');
    const err = await limitError(start(registry, 'c', 'main'));
    expect(err.message).toMatch(/Stop the sandbox of one of yours \(a\) with Sandbox ▸ Stop sandbox/);
    expect(err.data).toEqual({ limit: 'server', max: 2, running: ['a'] });
  });

  it('counts sandboxes that are still starting against the global cap', async () => {
    const { registry } = setup({ maxPerUser: 3, maxTotal: 2 });
    registries.push(registry);
    let release = () => {};
    const pending = new Promise<void>((resolve) => (release = resolve));
    const a = await registry.session('a');
    const b = await registry.session('b');
    const starts = [registry.whileStarting(a, 'workspace:a', () => pending), registry.whileStarting(b, 'workspace:b', () => pending)];
    await limitError(start(registry, 'c', 'workspace:c'));
    release();
    await Promise.all(starts);
    // Neither start left a sandbox running: the slots are free again.
    await start(registry, 'c', 'workspace:c');
  });

  it('keeps the per-user cap, and frees a slot when a sandbox stops', async () => {
    const { registry } = setup({ maxPerUser: 1, maxTotal: 20 });
    registries.push(registry);
    await start(registry, 'a', 'main');
    const err = await limitError(start(registry, 'b', 'main'));
    expect(err.message).toMatch(/You already have 1 sandboxes running \(a\); the limit is 1 running sandboxes per user\. Stop the sandbox of one of them \(Sandbox ▸ Stop sandbox/);
    expect(err.data).toEqual({ limit: 'user', max: 1, running: ['a'] });
    await start(registry, 'c', 'workspace:c');
    await (await registry.session('a')).stop({});
    await start(registry, 'b', 'main');
  });

  it('counts the warm pool against the global cap: a spare gives its room up, and with none to give the start is refused', async () => {
    const spares = fakeSpares(2);
    const { registry } = setup({ maxPerUser: 5, maxTotal: 3, spares });
    registries.push(registry);
    await start(registry, 'a', 'main');
    expect(spares.yielded).toBe(0);
    expect(registry.inUse()).toBe(1);
    await start(registry, 'b', 'main');
    expect(spares).toMatchObject({ yielded: 1, count: 1 });
    await start(registry, 'c', 'main');
    expect(spares).toMatchObject({ yielded: 2, count: 0 });
    const err = await limitError(start(registry, 'd', 'main'));
    expect(err.message).toMatch(/limit is 3 running sandboxes in all/);
    expect(registry.inUse()).toBe(3);
  });

  it('lets an already running sandbox through (a second Run restarts only the chaincode)', async () => {
    const { registry } = setup({ maxPerUser: 1, maxTotal: 1 });
    registries.push(registry);
    await start(registry, 'a', 'main');
    await start(registry, 'a', 'main');
  });
});

describe('reattaching after a restart', () => {
  it('reattaches running sandboxes, leaves stopped ones, and removes those whose workspace is gone', async () => {
    const { registry, driver, made } = setup({
      existing: ['a', 'b'],
      listed: [
        { workspace: 'a', running: true },
        { workspace: 'b', running: false },
        { workspace: 'gone', running: true },
      ],
    });
    registries.push(registry);
    await registry.reattach();
    expect(made.get('a')?.calls).toEqual(['reattach']);
    expect(made.has('b')).toBe(false);
    expect(driver.destroyed).toEqual(['gone']);
  });

  it('counts reattached sandboxes for the main token', async () => {
    const { registry } = setup({ existing: ['a', 'b'], listed: [{ workspace: 'a', running: true }], maxPerUser: 1 });
    registries.push(registry);
    await registry.reattach();
    await limitError(start(registry, 'b', 'main'));
  });
});

describe('the idle stop', () => {
  it('stops a sandbox nobody has open or used for the idle time, and no other', async () => {
    vi.useFakeTimers();
    const { registry, made } = setup({ idleStopMs: 1000, subscribers: { b: 1 } });
    registries.push(registry);
    for (const w of ['a', 'b', 'c', 'd']) await start(registry, w, `workspace:${w}`);
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((w) => made.get(w) as FakeSession) as [FakeSession, FakeSession, FakeSession, FakeSession];
    c.transactionsInFlight = 1;
    await vi.advanceTimersByTimeAsync(600);
    d.lastActivityMs = Date.now();
    expect(a.calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(900);
    expect(a.calls).toEqual(['stop idle']);
    expect(b.calls).toEqual([]);
    expect(c.calls).toEqual([]);
    expect(d.calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(d.calls).toEqual(['stop idle']);
  });
});

it('refuses a session for a workspace that does not exist', async () => {
  const { registry } = setup({ existing: [] });
  registries.push(registry);
  await expect(registry.session('nope')).rejects.toMatchObject({ code: ErrorCode.NotFound });
});
