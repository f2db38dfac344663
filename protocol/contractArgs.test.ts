import { describe, expect, it } from 'vitest';
import { argSchemaOf, argumentProblem, argumentProblems, type CheckedParam } from './contractArgs.ts';

const p = (name: string, raw: unknown, required?: boolean): CheckedParam => ({ name, schema: argSchemaOf(raw), ...(required === undefined ? {} : { required }) });

describe('argSchemaOf', () => {
  it('reads JSON schema types, a $ref as an object and arrays with their items', () => {
    expect(argSchemaOf({ type: 'number' })).toEqual({ type: 'number' });
    expect(argSchemaOf({ $ref: '#/components/schemas/Asset' })).toEqual({ type: 'object' });
    expect(argSchemaOf({ type: 'array', items: { type: 'integer' } })).toEqual({ type: 'array', items: { type: 'integer' } });
    expect(argSchemaOf({})).toEqual({ type: 'any' });
    expect(argSchemaOf({ type: 'date' })).toEqual({ type: 'any' });
    expect(argSchemaOf(undefined)).toEqual({ type: 'any' });
  });
});

describe('argumentProblem', () => {
  it('names the field and the value when a number is not a number', () => {
    expect(argumentProblem(p('size', { type: 'number' }), 'seven')).toBe('size must be a number, not "seven"');
    expect(argumentProblem(p('size', { type: 'number' }), '7.5')).toBeUndefined();
    expect(argumentProblem(p('size', { type: 'number' }), 'Infinity')).toMatch(/must be a number/);
  });

  it('refuses an empty field, whatever its type, unless the metadata makes it optional', () => {
    expect(argumentProblem(p('id', { type: 'string' }), '')).toBe('id is required');
    expect(argumentProblem(p('size', { type: 'number' }), '')).toBe('size needs a number');
    expect(argumentProblem(p('note', { type: 'string' }, false), '')).toBeUndefined();
    expect(argumentProblem(p('size', { type: 'number' }, false), '')).toBe('size needs a number');
    expect(argumentProblem(p('anything', {}), '')).toBe('anything is required');
    expect(argumentProblem(p('anything', {}), 'x')).toBeUndefined();
  });

  it('checks integers, booleans, objects and arrays as the chaincode will read them', () => {
    expect(argumentProblem(p('n', { type: 'integer' }), '3')).toBeUndefined();
    expect(argumentProblem(p('n', { type: 'integer' }), '3.5')).toMatch(/^n must be a whole number/);
    expect(argumentProblem(p('on', { type: 'boolean' }), 'TRUE')).toBeUndefined();
    expect(argumentProblem(p('on', { type: 'boolean' }), 'yes')).toBe('on must be true or false, not "yes"');
    expect(argumentProblem(p('asset', { $ref: '#/components/schemas/Asset' }), '{"ID":"a"}')).toBeUndefined();
    expect(argumentProblem(p('asset', { $ref: '#/components/schemas/Asset' }), '[1]')).toBe('asset must be a JSON object');
    expect(argumentProblem(p('asset', { $ref: '#/components/schemas/Asset' }), '{oops')).toMatch(/^asset must be a JSON object.*is not JSON$/);
    expect(argumentProblem(p('ids', { type: 'array', items: { type: 'string' } }), '["a","b"]')).toBeUndefined();
    expect(argumentProblem(p('ids', { type: 'array', items: { type: 'string' } }), '["a",2]')).toBe('ids must be a JSON array of text elements');
  });
});

describe('argumentProblems', () => {
  const createAsset = [p('id', { type: 'string' }), p('color', { type: 'string' }), p('size', { type: 'number' })];

  it('lists every field that does not fit, in order, with its index', () => {
    expect(argumentProblems(createAsset, ['', 'red', 'seven'])).toEqual([
      { index: 0, name: 'id', message: 'id is required' },
      { index: 2, name: 'size', message: 'size must be a number, not "seven"' },
    ]);
    expect(argumentProblems(createAsset, ['a1', 'red', '7'])).toEqual([]);
  });

  it('reports missing and extra arguments', () => {
    expect(argumentProblems(createAsset, ['a1'])).toEqual([
      { index: 1, name: 'color', message: 'color is missing' },
      { index: 2, name: 'size', message: 'size is missing' },
    ]);
    expect(argumentProblems(createAsset, ['a1', 'red', '7', 'extra'])).toEqual([{ index: 3, name: 'argument 4', message: '4 arguments given; the transaction takes 3' }]);
  });

  it('lets any arguments through to a transaction that lists no parameters (plain JavaScript reading them itself)', () => {
    expect(argumentProblems([], ['a', 'b'])).toEqual([]);
  });
});
