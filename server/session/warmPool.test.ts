import { afterEach, describe, expect, it } from 'vitest';
import type { SandboxHandle, SpareSandboxes, SpareSummary } from '../sandbox/sandboxDriver.ts';
import { createWarmPool, type WarmPool, type WarmPoolOptions } from './warmPool.ts';

/** Spares in memory: a start waits until the test lets it finish, unless `instant`. */
class FakeSpares implements SpareSandboxes {
  readonly running = new Set<string>();
  readonly destroyed: string[] = [];
  readonly claimed: string[] = [];
  readonly pending = new Map<string, { resolve: () => void; reject: (err: Error) => void }>();
  instant = true;
  failClaims = false;
  leftovers: SpareSummary[] = [];

  start(id: string): Promise<void> {
    if (this.instant) {
      this.running.add(id);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      this.pending.set(id, {
        resolve: () => {
          this.running.add(id);
          resolve();
        },
        reject,
      });
    });
  }
  async claim(id: string, workspace: string): Promise<SandboxHandle> {
    if (this.failClaims) throw new Error('gone');
    this.running.delete(id);
    this.claimed.push(id);
    return { workspace } as SandboxHandle;
  }
  async destroy(id: string): Promise<void> {
    this.running.delete(id);
    this.destroyed.push(id);
    // A start whose container is removed fails.
    this.pending.get(id)?.reject(new Error('the container stopped while starting'));
    this.pending.delete(id);
  }
  async list(): Promise<SpareSummary[]> {
    return [...this.leftovers, ...[...this.running].map((id) => ({ id, running: true }))];
  }
  finishStarts(): void {
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.resolve();
    }
  }
}

const pools: WarmPool[] = [];
afterEach(() => pools.splice(0).forEach((p) => p.close()));

function pool(spares: FakeSpares, options: Partial<WarmPoolOptions> = {}): WarmPool {
  const made = createWarmPool({ spares, exists: async (workspace) => workspace === 'old', size: 2, maxTotal: 10, sandboxesInUse: () => 0, busy: () => false, checkIntervalMs: 20, log: () => undefined, ...options });
  pools.push(made);
  return made;
}

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(condition()).toBe(true);
};

describe('the warm pool', () => {
  it('fills to its size one spare at a time, and a claim hands a ready spare over and refills', async () => {
    const spares = new FakeSpares();
    spares.instant = false;
    const p = pool(spares);
    await p.start();
    await until(() => spares.pending.size === 1);
    expect(p.count).toBe(1);
    expect(p.ready).toBe(0);
    spares.finishStarts();
    await until(() => spares.pending.size === 1);
    spares.finishStarts();
    await p.whenFull();
    expect(p.ready).toBe(2);

    const handle = await p.claim('ws');
    expect(handle?.workspace).toBe('ws');
    expect(spares.claimed).toHaveLength(1);
    expect(p.ready).toBe(1);
    await until(() => spares.pending.size === 1);
    expect(p.count).toBe(2);
  });

  it('tells its size as it changes, with no claim needed: starting, ready, claimed, refilled, given up', async () => {
    const spares = new FakeSpares();
    spares.instant = false;
    let busy = false;
    const sizes: string[] = [];
    const p = pool(spares, { size: 1, busy: () => busy, onSizeChange: ({ ready, starting }) => sizes.push(`${ready}/${starting}`) });
    await p.start();
    await until(() => spares.pending.size === 1);
    spares.finishStarts();
    await p.whenFull();
    expect(sizes).toEqual(['0/0', '0/1', '1/0']);
    await p.claim('ws');
    await until(() => spares.pending.size === 1);
    expect(sizes.slice(3)).toEqual(['0/0', '0/1']);
    spares.finishStarts();
    await p.whenFull();
    busy = true;
    await until(() => sizes.at(-1) === '0/0');
    expect(sizes.slice(5)).toEqual(['1/0', '0/0']);
    expect(p.count).toBe(0);
  });

  it('starts no spare while a Run is in progress, and refills once it has ended', async () => {
    const spares = new FakeSpares();
    let runs = 1;
    const p = pool(spares, { size: 1, runsInProgress: () => runs });
    await p.start();
    await new Promise((r) => setTimeout(r, 100));
    expect(p.count).toBe(0);
    runs = 0;
    p.check();
    expect(p.count).toBe(1);
    await p.whenFull();
  });

  it('never holds more spares than the cap leaves room for', async () => {
    const spares = new FakeSpares();
    let inUse = 8;
    const p = pool(spares, { size: 3, maxTotal: 10, sandboxesInUse: () => inUse });
    await p.start();
    await until(() => p.ready === 2);
    await new Promise((r) => setTimeout(r, 100));
    expect(p.count).toBe(2);
    inUse = 9;
    await until(() => p.count === 1);
    expect(spares.running.size).toBe(1);
  });

  it('shrinks to nothing while the machine is busy and fills again after', async () => {
    const spares = new FakeSpares();
    let busy = false;
    const p = pool(spares, { busy: () => busy });
    await p.start();
    await p.whenFull();
    busy = true;
    await until(() => p.count === 0);
    expect(spares.running.size).toBe(0);
    busy = false;
    await p.whenFull();
    expect(spares.running.size).toBe(2);
  });

  it('gives up a spare that is still starting: it stops counting at once and is removed', async () => {
    const spares = new FakeSpares();
    spares.instant = false;
    const p = pool(spares, { size: 1 });
    await p.start();
    await until(() => spares.pending.size === 1);
    const [id] = [...spares.pending.keys()];
    const removed = p.yieldOne();
    expect(removed).toBeDefined();
    expect(p.count).toBe(0);
    await removed;
    expect(spares.destroyed).toContain(id);
    // Nothing took the room here, so the pool starts another.
    await until(() => spares.pending.size === 1 && !spares.pending.has(id ?? ''));
  });

  it('hands a spare only to a workspace that has no sandbox or ledger yet', async () => {
    const spares = new FakeSpares();
    const p = pool(spares, { size: 1 });
    await p.start();
    await p.whenFull();
    expect(await p.claimIfNew('old')).toBeUndefined();
    expect(p.ready).toBe(1);
    expect((await p.claimIfNew('new'))?.workspace).toBe('new');
  });

  it('tells whether each new workspace got a spare (warm) or must start one (cold), and says nothing for one that has a sandbox', async () => {
    const outcomes: string[] = [];
    const spares = new FakeSpares();
    const p = pool(spares, { size: 1, onNewSandbox: (outcome) => outcomes.push(outcome) });
    await p.start();
    await p.whenFull();
    // The refill after the first claim stays starting, so the second workspace finds none ready.
    spares.instant = false;
    await p.claimIfNew('old');
    await p.claimIfNew('first');
    await p.claimIfNew('second');
    expect(outcomes).toEqual(['warm', 'cold']);
  });

  it('answers a failed claim with no handle and removes that spare', async () => {
    const spares = new FakeSpares();
    const p = pool(spares, { size: 1 });
    await p.start();
    await p.whenFull();
    spares.failClaims = true;
    expect(await p.claim('ws')).toBeUndefined();
    await until(() => spares.destroyed.length === 1);
  });

  it('takes over running spares an earlier process left, up to its size, and removes the rest', async () => {
    const spares = new FakeSpares();
    spares.leftovers = [
      { id: 'a', running: true },
      { id: 'b', running: false },
      { id: 'c', running: true },
      { id: 'd', running: true },
    ];
    const p = pool(spares, { size: 2 });
    const listed = spares.leftovers;
    spares.leftovers = [];
    spares.list = async () => listed;
    await p.start();
    expect(p.ready).toBe(2);
    expect(spares.destroyed.sort()).toEqual(['b', 'd']);
  });

  it('is off at size 0: removes what an earlier process left and starts none', async () => {
    const spares = new FakeSpares();
    spares.running.add('old');
    const p = pool(spares, { size: 0 });
    await p.start();
    await new Promise((r) => setTimeout(r, 60));
    expect(spares.destroyed).toEqual(['old']);
    expect(p.count).toBe(0);
    expect(spares.running.size).toBe(0);
  });
});
