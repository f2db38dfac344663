import { describe, expect, it } from 'vitest';
import { logpointCondition, logpointIdOfUrl, parseLogMessage } from './logpoint.ts';

describe('logpoint messages', () => {
  it('splits text and {expressions}, with nested braces', () => {
    expect(parseLogMessage('id={id} obj={ {a: 1}.a } done')).toEqual([
      { text: 'id=' },
      { expression: 'id' },
      { text: ' obj=' },
      { expression: '{a: 1}.a' },
      { text: ' done' },
    ]);
  });

  it('keeps empty and unclosed braces as text', () => {
    expect(parseLogMessage('a {} b {c')).toEqual([{ text: 'a {} b {c' }]);
  });

  it('evaluates to false after logging, and names its logpoint', () => {
    const logged: string[] = [];
    const condition = logpointCondition(7, 'x={x + 1} s={s}', 'x > 0');
    const run = new Function('x', 's', 'console', `return ${condition};`) as (x: number, s: string, c: { log(t: string): void }) => unknown;
    const console = { log: (text: string) => logged.push(text) };
    expect(run(1, 'hi', console)).toBe(false);
    expect(run(0, 'no', console)).toBe(false);
    expect(logged).toEqual(['x=2 s=hi']);
    expect(condition.endsWith('//# sourceURL=studio-logpoint-7.js')).toBe(true);
    expect(logpointIdOfUrl('studio-logpoint-7.js')).toBe(7);
    expect(logpointIdOfUrl('file:///chaincode/dist/main.js')).toBeUndefined();
  });
});
