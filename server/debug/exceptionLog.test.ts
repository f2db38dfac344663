import { describe, expect, it } from 'vitest';
import { ExceptionLog, exceptionMessage, pauseOnExceptionsState, wantsException } from './exceptionLog.ts';

const frame = (line: number) => ({ id: 0, name: 'CreateAsset', source: { name: 'contract.ts', path: 'src/contract.ts' }, line, column: 1 });

describe('ExceptionLog', () => {
  it('finds the last exception of a transaction with the message the peer returned, else the last of that transaction', () => {
    const log = new ExceptionLog();
    log.add({ txId: 'tx1', message: 'inner', stackFrames: [frame(3)] });
    log.add({ txId: 'tx1', message: 'The asset a1 already exists', typeName: 'Error', stackFrames: [frame(7)] });
    log.add({ txId: 'tx2', message: 'other', stackFrames: [frame(9)] });
    expect(log.find('tx1', 'The asset a1 already exists')).toEqual({ message: 'The asset a1 already exists', typeName: 'Error', stackFrames: [frame(7)] });
    expect(log.find('tx1', 'inner')?.stackFrames[0]?.line).toBe(3);
    expect(log.find('tx1', 'rewritten by a catch')?.stackFrames[0]?.line).toBe(7);
    expect(log.find('tx3', 'other')).toBeUndefined();
  });

  it('without a transaction id, answers only for the exact message of an exception that named none', () => {
    const log = new ExceptionLog();
    log.add({ txId: undefined, message: 'boom', stackFrames: [frame(1)] });
    expect(log.find(undefined, 'boom')?.stackFrames).toEqual([frame(1)]);
    expect(log.find(undefined, 'bang')).toBeUndefined();
  });

  it('keeps only the newest exceptions', () => {
    const log = new ExceptionLog();
    for (let i = 0; i < 100; i++) log.add({ txId: `tx${i}`, message: 'm', stackFrames: [] });
    expect(log.find('tx0', 'm')).toBeUndefined();
    expect(log.find('tx99', 'm')).toEqual({ message: 'm', stackFrames: [] });
  });
});

describe('exception filters', () => {
  it('pause on what the filters ask for, during steps', () => {
    expect(pauseOnExceptionsState([])).toBe('none');
    expect(pauseOnExceptionsState(['uncaught'])).toBe('uncaught');
    expect(pauseOnExceptionsState(['uncaught', 'all'])).toBe('all');
  });

  it('stop on a caught exception only with "all", on an uncaught one with either', () => {
    expect(wantsException(['uncaught'], { data: { uncaught: false } })).toBe(false);
    expect(wantsException(['uncaught'], { data: { uncaught: true } })).toBe(true);
    expect(wantsException([], { data: { uncaught: true } })).toBe(false);
    expect(wantsException(['all'], { data: { uncaught: false } })).toBe(true);
  });
});

describe('exceptionMessage', () => {
  it('reads the message and type out of an error’s description', () => {
    expect(exceptionMessage({ type: 'object', subtype: 'error', className: 'TypeError', description: 'TypeError: x is not a function\n    at f (/chaincode/app/dist/a.js:3:9)' })).toEqual({
      message: 'x is not a function',
      typeName: 'TypeError',
    });
    expect(exceptionMessage({ type: 'object', className: 'AssetError', description: 'Error: two\nlines\n    at f (a.js:1:1)' })).toEqual({ message: 'two\nlines', typeName: 'AssetError' });
  });

  it('takes a thrown string or number as it is', () => {
    expect(exceptionMessage({ type: 'string', value: 'plain' })).toEqual({ message: 'plain' });
    expect(exceptionMessage({ type: 'number', value: 42, description: '42' })).toEqual({ message: '42' });
    expect(exceptionMessage(undefined)).toEqual({ message: '' });
  });
});
