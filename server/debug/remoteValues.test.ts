import { describe, expect, it } from 'vitest';
import { formatBuffer, formatValue, typeOf } from './remoteValues.ts';

describe('formatValue', () => {
  it('quotes strings and shows primitives as JavaScript would', () => {
    expect(formatValue({ type: 'string', value: 'a "b"' })).toBe('"a \\"b\\""');
    expect(formatValue({ type: 'number', value: 5, description: '5' })).toBe('5');
    expect(formatValue({ type: 'number', unserializableValue: 'NaN', description: 'NaN' })).toBe('NaN');
    expect(formatValue({ type: 'bigint', unserializableValue: '10n', description: '10n' })).toBe('10n');
    expect(formatValue({ type: 'undefined' })).toBe('undefined');
    expect(formatValue({ type: 'object', subtype: 'null', value: null })).toBe('null');
  });

  it('previews objects, arrays and errors on one line', () => {
    const asset = {
      type: 'object' as const,
      className: 'Asset',
      description: 'Asset',
      objectId: '1',
      preview: {
        type: 'object' as const,
        description: 'Asset',
        overflow: false,
        properties: [
          { name: 'id', type: 'string' as const, value: 'a1' },
          { name: 'tags', type: 'object' as const, subtype: 'array' as const, value: 'Array(2)' },
        ],
      },
    };
    expect(formatValue(asset)).toBe('Asset {id: "a1", tags: Array(2)}');
    expect(typeOf(asset)).toBe('Asset');
    expect(
      formatValue({
        type: 'object',
        subtype: 'error',
        className: 'Error',
        description: 'Error: boom\n    at f (file.js:1:1)',
        objectId: '2',
      }),
    ).toBe('Error: boom');
  });
});

describe('formatBuffer', () => {
  it('shows text and bytes, escaping what is not printable', () => {
    expect(formatBuffer({ length: 5, utf8: 'hello', hex: '68 65 6c 6c 6f', clipped: false })).toBe(
      'Buffer(5) "hello" <68 65 6c 6c 6f>',
    );
    expect(formatBuffer({ length: 2, utf8: '\u0000\n', hex: '00 0a', clipped: false })).toBe('Buffer(2) "\\u0000\\n" <00 0a>');
    expect(formatBuffer({ length: 100, utf8: 'abcd', hex: '61 62 63 64', clipped: true }, 2)).toBe('Buffer(100) "ab"… <61 62 …>');
  });
});
