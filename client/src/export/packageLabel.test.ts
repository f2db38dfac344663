import { describe, expect, it } from 'vitest';
import { packageLabelProblem, suggestedPackageLabel } from './packageLabel.ts';

describe('packageLabelProblem', () => {
  it('accepts the labels the peer accepts', () => {
    for (const label of ['basic_1.0', 'a', '9', 'cc+v2-rc.1', 'ASSET_transfer']) expect(packageLabelProblem(label)).toBeNull();
  });

  it('names what is wrong with the labels the peer refuses', () => {
    expect(packageLabelProblem('')).toMatch(/Enter a label/);
    expect(packageLabelProblem('_basic')).toMatch(/starts with a letter or a digit/);
    expect(packageLabelProblem('.x')).toMatch(/starts with a letter or a digit/);
    expect(packageLabelProblem('basic 1.0')).toMatch(/only letters, digits/);
    expect(packageLabelProblem('basic:1.0')).toMatch(/only letters, digits/);
    expect(packageLabelProblem('bäsic')).toMatch(/only letters, digits/);
  });
});

describe('suggestedPackageLabel', () => {
  it('is the chaincode name with _1.0, cleaned to what the rule allows', () => {
    expect(suggestedPackageLabel('asset-transfer-ts')).toBe('asset-transfer-ts_1.0');
    expect(suggestedPackageLabel('@org/my cc')).toBe('orgmycc_1.0');
    expect(suggestedPackageLabel('---')).toBe('chaincode_1.0');
    expect(packageLabelProblem(suggestedPackageLabel('@org/my cc'))).toBeNull();
  });
});
