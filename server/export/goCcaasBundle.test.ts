import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { samplesDir } from '../config.ts';
import { ccaasBundle } from './ccaasBundle.ts';
import { readGoModuleFiles } from './goPackage.ts';
import { readTarGz } from './tarReader.ts';

describe('a chaincode-as-a-service bundle of a Go module', () => {
  it('builds the image from the module with a Go Dockerfile, beside the package and the manifests', async () => {
    const goModule = await readGoModuleFiles(path.join(samplesDir, 'asset-transfer-go'));
    const bundle = await ccaasBundle({ chaincodeName: 'basic', label: 'basic_1.0', version: '1.0', sequence: 1, buildDir: '/nonexistent', image: 'basic-chaincode:1.0', goModule });
    const files = new Map((await readTarGz(bundle.bytes)).map((e) => [e.header.name, e.content.toString()]));
    const dockerfile = files.get('basic_1.0/image/Dockerfile') ?? '';
    expect(dockerfile).toContain('ARG BASE_IMAGE=golang:1.24-bookworm\nFROM ${BASE_IMAGE} AS build');
    expect(dockerfile).toContain('RUN CGO_ENABLED=0 go build -trimpath -o /chaincode .');
    expect(dockerfile).toContain('FROM scratch');
    expect(dockerfile).toContain('ENV CHAINCODE_SERVER_ADDRESS=0.0.0.0:9999');
    expect(files.get('basic_1.0/image/main.go')).toContain('CHAINCODE_SERVER_ADDRESS');
    expect(files.has('basic_1.0/image/go.sum')).toBe(true);
    expect(files.has('basic_1.0/image/package.json')).toBe(false);
    expect(files.has('basic_1.0/basic_1.0.tar.gz')).toBe(true);
    expect([...files.keys()].some((name) => name.startsWith('basic_1.0/k8s/'))).toBe(true);
    expect(bundle.package.packageId).toMatch(/^basic_1\.0:[0-9a-f]{64}$/);
  });
});
