/**
 * The debugger against a real transaction: a breakpoint in the TypeScript
 * sample, a submit through the Gateway, and what the user would see — the
 * paused .ts line, the argument values, a step, an evaluation, the result.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StudioError } from '../../../server/errors.ts';
import { createDocker } from '../../../server/sandbox/docker.ts';
import type { WorkspaceSession } from '../../../server/session/workspaceSession.ts';
import { debuggedWorkspace } from '../../kit/debuggedWorkspace.ts';

const source = 'src/assetTransferContract.ts';
const debugged = debuggedWorkspace({ workspace: 'dbg', sample: 'asset-transfer-ts', source });
const { stops, outputs, lineOf, nextStop, submit } = debugged;
let session: WorkspaceSession;

beforeAll(async () => {
  // Set before Run, as a user who clicks the gutter first would.
  session = await debugged.start((at) => [{ line: at('const asset: Asset =') }]);
});

afterAll(() => debugged.stop());

beforeEach(async () => {
  await session.debugger().setBreakpoints(source, []);
  await session.debugger().setExceptionBreakpoints([]);
});

describe('debugging a transaction in the sandbox', () => {
  it('stops at the TypeScript line, shows the arguments, steps, evaluates and completes', async () => {
    const line = lineOf('const asset: Asset =');
    const set = await session.debugger().setBreakpoints(source, [{ line }]);
    expect(set.breakpoints[0]).toMatchObject({ verified: true, line });

    const before = stops.length;
    const pending = submit('CreateAsset', 'dbg1', 'red', '7', 'Ada', '900');
    const stop = await nextStop(before);
    expect(stop).toMatchObject({ reason: 'breakpoint', threadId: 1 });
    expect(stop.frame?.source?.path).toBe(source);
    expect(stop.frame?.line).toBe(line);
    expect(stop.txId).toMatch(/^[0-9a-f]{64}$/);

    const dbg = session.debugger();
    const { stackFrames } = await dbg.stackTrace();
    const top = stackFrames[0];
    expect(top?.name).toMatch(/CreateAsset/);
    const { scopes } = await dbg.scopes(top?.id ?? -1);
    const local = scopes.find((s) => s.name === 'Local');
    const { variables } = await dbg.variables(local?.variablesReference ?? -1);
    const value = (name: string) => variables.find((v) => v.name === name)?.value;
    expect(value('id')).toBe('"dbg1"');
    expect(value('color')).toBe('"red"');
    expect(value('size')).toBe('7');
    expect(value('owner')).toBe('"Ada"');

    const evaluated = await dbg.evaluate('ctx.stub.getTxID()', top?.id, 'repl');
    expect(evaluated.result).toBe(`"${stop.txId}"`);

    const beforeStep = stops.length;
    await dbg.next();
    const stepped = await nextStop(beforeStep);
    expect(stepped.reason).toBe('step');
    expect(stepped.frame?.source?.path).toBe(source);
    expect(stepped.frame?.line).toBe(line + 1);

    await dbg.continue();
    const result = await pending;
    expect(result.validationCode).toBe('VALID');
    expect(result.events[0]?.name).toBe('AssetCreated');
  });

  it('does not stop on a breakpoint whose condition is false', async () => {
    await session.debugger().setBreakpoints(source, [{ line: lineOf('const asset: Asset ='), condition: 'id === "never"' }]);
    const before = stops.length;
    const result = await submit('CreateAsset', 'dbg2', 'red', '1', 'Bo', '1');
    expect(result.validationCode).toBe('VALID');
    expect(stops.length).toBe(before);
  });

  it('logs through a logpoint without stopping', async () => {
    await session.debugger().setBreakpoints(source, [{ line: lineOf('const asset: Asset ='), logMessage: 'creating {id} for {owner}' }]);
    const before = stops.length;
    await submit('CreateAsset', 'dbg3', 'red', '1', 'Cy', '1');
    expect(stops.length).toBe(before);
    await expect.poll(() => outputs.some((o) => o.output.includes('creating dbg3 for Cy')), { timeout: 5000 }).toBe(true);
  });

  it('gives a failed transaction the stack of its exception, in the TypeScript source, without stopping', async () => {
    const before = stops.length;
    const err = await session.invoke({ workspace: 'dbg', mode: 'evaluate', contract: '', fn: 'ReadAsset', args: ['nowhere'] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(stops.length).toBe(before);
    expect(err).toBeInstanceOf(StudioError);
    expect((err as StudioError).message).toBe('The asset nowhere does not exist');
    const data = (err as StudioError).data as { txId?: string; exception?: { message: string; stackFrames: { name: string; line: number; source?: { path?: string } }[] } };
    expect(data.txId).toMatch(/^[0-9a-f]{64}$/);
    expect(data.exception?.message).toBe('The asset nowhere does not exist');
    expect(data.exception?.stackFrames[0]).toMatchObject({ name: expect.stringMatching(/ReadAsset/), source: { path: source }, line: lineOf('throw new Error(`The asset ${id} does not exist`)') });
  });

  it('stops on an exception when pausing on all exceptions is on', async () => {
    await session.debugger().setExceptionBreakpoints(['all']);
    const before = stops.length;
    const pending = session.invoke({ workspace: 'dbg', mode: 'evaluate', contract: '', fn: 'ReadAsset', args: ['missing'] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const stop = await nextStop(before);
    expect(stop.reason).toBe('exception');
    expect(stop.frame?.source?.path).toBe(source);
    expect(stop.frame?.line).toBe(lineOf('throw new Error(`The asset ${id} does not exist`)'));
    await session.debugger().setExceptionBreakpoints([]);
    await session.debugger().continue();
    const err = await pending;
    expect(err).toBeInstanceOf(StudioError);
    expect((err as StudioError).message).toBe('The asset missing does not exist');
  });

  it('keeps breakpoints across a restart and hits them in the new process', async () => {
    const line = lineOf('const asset: Asset =');
    await session.debugger().setBreakpoints(source, [{ line }]);
    expect((await session.run()).ok).toBe(true);
    const before = stops.length;
    const pending = submit('CreateAsset', 'dbg4', 'red', '1', 'Di', '1');
    const stop = await nextStop(before);
    expect(stop.frame?.line).toBe(line);
    await session.debugger().continue();
    expect((await pending).validationCode).toBe('VALID');
  });

  it('fails a paused transaction clearly when the debug session stops, and the sandbox stays usable', async () => {
    await session.debugger().setBreakpoints(source, [{ line: lineOf('const asset: Asset =') }]);
    const before = stops.length;
    const pending = submit('CreateAsset', 'dbg5', 'red', '1', 'Ed', '1').then(
      () => undefined,
      (e: unknown) => e,
    );
    await nextStop(before);
    await session.stopChaincode();
    const err = await pending;
    expect(err).toBeInstanceOf(StudioError);
    expect((err as StudioError).message).toMatch(/the chaincode process stopped before the transaction finished/);
    expect((await session.run()).ok).toBe(true);
    await session.debugger().setBreakpoints(source, []);
    expect((await submit('CreateAsset', 'dbg6', 'red', '1', 'Fi', '1')).validationCode).toBe('VALID');
    const read = await session.invoke({ workspace: 'dbg', mode: 'evaluate', contract: '', fn: 'ReadAsset', args: ['dbg6'] });
    expect(JSON.parse(read.result).Owner).toBe('Fi');
  });
});

describe('the sandbox loopback', () => {
  /** The loopback routes in the network namespace of `container`, read from inside it. */
  async function loopbackRoutes(container: string): Promise<string[]> {
    const info = await createDocker().getContainer(container).inspect();
    const { stdout } = await promisify(execFile)('nsenter', ['-t', String(info.State.Pid), '-n', 'ip', 'route', 'show', 'table', 'local']);
    return stdout.split('\n').filter((route) => /^local 127\.0\.0\.(0\/8|1) /.test(route));
  }

  it('acknowledges at once (quickack) on its loopback routes, from the start and again after a reattach', async () => {
    const started = await loopbackRoutes(`${debugged.instance}-dbg`);
    const reattached = await debugged.sandboxes.find('dbg');
    expect(reattached?.containerName).toBe(`${debugged.instance}-dbg`);
    const again = await loopbackRoutes(`${debugged.instance}-dbg`);
    for (const routes of [started, again]) {
      expect(routes).toHaveLength(2);
      for (const route of routes) expect(route).toMatch(/ dev lo .* quickack 1\b/);
    }
  });
});
