/**
 * Delve against a real Go transaction: a breakpoint in the Go sample, a
 * submit through the Gateway, and what the user would see — the paused Go
 * line, the argument values, a struct expanded, a step, an evaluation,
 * a conditional breakpoint and a logpoint, and the transaction committing.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { WorkspaceSession } from '../../../server/session/workspaceSession.ts';
import { debuggedWorkspace } from '../../kit/debuggedWorkspace.ts';

const source = 'contract.go';
const debugged = debuggedWorkspace({ workspace: 'godbg', sample: 'asset-transfer-go', source });
const { stops, outputs, lineOf, nextStop, submit } = debugged;
let session: WorkspaceSession;

beforeAll(async () => {
  // Set before Run, as a user who clicks the gutter first would: the program waits for Delve.
  session = await debugged.start((at) => [{ line: at('data, err := json.Marshal(asset)') }]);
}, 600_000);

afterAll(() => debugged.stop());

beforeEach(async () => {
  await session.debugger().setBreakpoints(source, []);
});

describe('debugging a Go transaction in the sandbox', () => {
  it('stops at the Go line, shows the arguments and the struct, steps, evaluates and commits', async () => {
    const line = lineOf('data, err := json.Marshal(asset)');
    const set = await session.debugger().setBreakpoints(source, [{ line }]);
    expect(set.breakpoints[0]).toMatchObject({ verified: true, line });

    const before = stops.length;
    const started = performance.now();
    const pending = submit('CreateAsset', 'gdbg1', 'red', '7', 'Ada', '900');
    const stop = await nextStop(before);
    console.info(`Go breakpoint hit ${Math.round(performance.now() - started)} ms after the submit`);
    expect(stop).toMatchObject({ reason: 'breakpoint', threadId: 1 });
    expect(stop.frame?.source?.path).toBe(source);
    expect(stop.frame?.line).toBe(line);
    // The pause banner's transaction, read from the shim's message at the bottom of the goroutine.
    expect(stop.txId).toMatch(/^[0-9a-f]{64}$/);

    const dbg = session.debugger();
    const { stackFrames } = await dbg.stackTrace();
    const top = stackFrames[0];
    expect(top?.name).toMatch(/CreateAsset/);
    const { scopes } = await dbg.scopes(top?.id ?? -1);
    const locals = scopes[0];
    const { variables } = await dbg.variables(locals?.variablesReference ?? -1);
    const value = (name: string) => variables.find((v) => v.name === name)?.value;
    expect(value('id')).toBe('"gdbg1"');
    expect(value('color')).toBe('"red"');
    expect(value('size')).toBe('7');
    expect(value('owner')).toBe('"Ada"');
    const asset = variables.find((v) => v.name === 'asset');
    expect(asset?.variablesReference).toBeGreaterThan(0);
    const fields = (await dbg.variables(asset?.variablesReference ?? -1)).variables;
    expect(fields.find((f) => f.name === 'Owner')?.value).toBe('"Ada"');
    expect(fields.find((f) => f.name === 'AppraisedValue')?.value).toBe('900');

    const evaluated = await dbg.evaluate('asset.Size * 2', top?.id, 'repl');
    expect(evaluated.result).toBe('14');

    const beforeStep = stops.length;
    const stepStarted = performance.now();
    await dbg.next();
    const stepped = await nextStop(beforeStep);
    console.info(`Go step answered in ${Math.round(performance.now() - stepStarted)} ms`);
    expect(stepped.reason).toBe('step');
    expect(stepped.frame?.source?.path).toBe(source);
    expect(stepped.frame?.line).toBe(line + 1);

    await dbg.continue();
    const result = await pending;
    expect(result.validationCode).toBe('VALID');
    expect(result.txId).toBe(stop.txId);
    expect(result.events[0]?.name).toBe('AssetCreated');
  });

  it('does not stop on a breakpoint whose condition is false, and stops when it is true', async () => {
    const line = lineOf('data, err := json.Marshal(asset)');
    await session.debugger().setBreakpoints(source, [{ line, condition: 'id == "gdbg3"' }]);
    const before = stops.length;
    expect((await submit('CreateAsset', 'gdbg2', 'red', '1', 'Bo', '1')).validationCode).toBe('VALID');
    expect(stops.length).toBe(before);
    const pending = submit('CreateAsset', 'gdbg3', 'red', '1', 'Bo', '1');
    expect((await nextStop(before)).frame?.line).toBe(line);
    await session.debugger().continue();
    expect((await pending).validationCode).toBe('VALID');
  });

  it('logs through a logpoint without stopping', async () => {
    await session.debugger().setBreakpoints(source, [{ line: lineOf('data, err := json.Marshal(asset)'), logMessage: 'creating {id} for {owner}' }]);
    const before = stops.length;
    expect((await submit('CreateAsset', 'gdbg4', 'red', '1', 'Cy', '1')).validationCode).toBe('VALID');
    expect(stops.length).toBe(before);
    await expect.poll(() => outputs.some((o) => o.output.includes('creating "gdbg4" for "Cy"') || o.output.includes('creating gdbg4 for Cy')), { timeout: 5000 }).toBe(true);
  });

  it('steps into a method and out of it again', async () => {
    const line = lineOf('exists, err := s.AssetExists(ctx, id)');
    await session.debugger().setBreakpoints(source, [{ line }]);
    const before = stops.length;
    const pending = submit('CreateAsset', 'gdbg5', 'red', '1', 'Dee', '1');
    expect((await nextStop(before)).frame?.line).toBe(line);
    const dbg = session.debugger();
    let count = stops.length;
    await dbg.stepIn();
    const inside = await nextStop(count);
    expect(inside.frame).toMatchObject({ name: expect.stringMatching(/AssetExists/), source: { path: source } });
    // Delve enters a Go function at its declaration line (the prologue), as Go debuggers do.
    expect(inside.frame?.line).toBeGreaterThanOrEqual(lineOf('func (s *AssetTransferContract) AssetExists'));
    expect(inside.frame?.line).toBeLessThan(lineOf('func (s *AssetTransferContract) TransferAsset'));
    count = stops.length;
    await dbg.stepOut();
    const back = await nextStop(count);
    expect(back.frame?.name).toMatch(/CreateAsset/);
    expect(back.frame?.line).toBe(line);
    await dbg.continue();
    expect((await pending).validationCode).toBe('VALID');
  });

  it('stops on a panic at the line of the user code that panicked', async () => {
    const dir = debugged.dir;
    const panicking = ['package main', '', 'import "github.com/hyperledger/fabric-contract-api-go/v2/contractapi"', '', '// Explode writes to a nil map.', 'func (s *AssetTransferContract) Explode(ctx contractapi.TransactionContextInterface, why string) error {', '\tvar counts map[string]int', '\tcounts[why]++', '\treturn nil', '}', ''];
    await fs.writeFile(path.join(dir, 'explode.go'), panicking.join('\n'));
    try {
      expect((await session.run()).ok).toBe(true);
      const before = stops.length;
      const pending = session.invoke({ workspace: 'godbg', mode: 'evaluate', contract: '', fn: 'Explode', args: ['x'] }).catch((err: unknown) => err);
      const stop = await nextStop(before);
      expect(stop.reason).toBe('exception');
      expect(stop.frame).toMatchObject({ source: { path: 'explode.go' }, line: 8 });
      await session.debugger().continue();
      expect(await pending).toBeInstanceOf(Error);
    } finally {
      await fs.rm(path.join(dir, 'explode.go'), { force: true });
      expect((await session.run()).ok).toBe(true);
    }
  });

  it('keeps breakpoints across a restart and hits them in the new process', async () => {
    const line = lineOf('oldOwner := asset.Owner');
    await session.debugger().setBreakpoints(source, [{ line }]);
    expect((await session.run()).ok).toBe(true);
    const before = stops.length;
    const pending = submit('TransferAsset', 'gdbg1', 'Zed');
    const stop = await nextStop(before);
    expect(stop.frame?.line).toBe(line);
    const { stackFrames } = await session.debugger().stackTrace();
    const { scopes } = await session.debugger().scopes(stackFrames[0]?.id ?? -1);
    const { variables } = await session.debugger().variables(scopes[0]?.variablesReference ?? -1);
    expect(variables.find((v) => v.name === 'newOwner')?.value).toBe('"Zed"');
    await session.debugger().continue();
    expect(await pending).toMatchObject({ validationCode: 'VALID', result: 'Ada' });
  });
});
