import { describe, expect, it } from 'vitest';
import { expressionAt } from './hoverExpression.ts';

describe('expressionAt', () => {
  const line = '    const asset = await ctx.stub.getState(id);';

  it('takes the identifier under the cursor with the property chain before it', () => {
    const col = line.indexOf('stub') + 2;
    expect(expressionAt(line, col)).toEqual({ text: 'ctx.stub', startColumn: line.indexOf('ctx') + 1, endColumn: line.indexOf('stub') + 5 });
  });

  it('takes a plain identifier alone', () => {
    expect(expressionAt(line, line.indexOf('id)') + 1)?.text).toBe('id');
  });

  it('follows optional chaining', () => {
    expect(expressionAt('a?.b', 4)?.text).toBe('a?.b');
  });

  it('returns nothing on punctuation, space or a number', () => {
    expect(expressionAt(line, line.indexOf('(') + 1)).toBeUndefined();
    expect(expressionAt(line, 1)).toBeUndefined();
    expect(expressionAt('x = 42', 6)).toBeUndefined();
  });
});
