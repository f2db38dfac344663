import { describe, expect, it } from 'vitest';
import { displayKey } from './ReadWriteSetView.tsx';

describe('displayKey', () => {
  it('shows a composite key as its parts', () => {
    expect(displayKey('\u0000owner~asset\u0000Tom\u0000asset1\u0000')).toBe('("owner~asset", "Tom", "asset1")');
  });
  it('makes control characters visible and leaves plain keys alone', () => {
    expect(displayKey('\u0001')).toBe('\\u0001');
    expect(displayKey('asset1')).toBe('asset1');
  });
});
