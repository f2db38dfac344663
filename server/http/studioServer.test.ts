import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { immutableAssetMaxAgeSeconds } from '../config.ts';
import { createStudioServer, type StudioServer } from './studioServer.ts';
import { capturingLog, testToken } from '../../tests/kit/studioHarness.ts';

interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A raw request: the path is sent exactly as given, so traversal attempts reach the server unnormalized. */
function httpRequest(port: number, rawPath: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: rawPath, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const indexHtml = '<!doctype html><title>Chaincode Studio</title><script type="module" src="/assets/index-4f2a9c.js"></script>';
const appJs = 'console.log("studio");';
const secret = '{"name": "not-for-the-browser"}';

describe('studio HTTP server', () => {
  let workDir: string;
  let server: StudioServer;
  const log = capturingLog();

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'studio-http-'));
    const client = path.join(workDir, 'client');
    await mkdir(path.join(client, 'assets'), { recursive: true });
    await writeFile(path.join(workDir, 'package.json'), secret);
    await writeFile(path.join(client, 'index.html'), indexHtml);
    await writeFile(path.join(client, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await writeFile(path.join(client, '.env'), 'SECRET=1');
    await writeFile(path.join(client, 'assets', 'index-4f2a9c.js'), appJs);
    await writeFile(path.join(client, 'assets', 'index-77aa01.css'), 'body{margin:0}');
    await writeFile(path.join(client, 'assets', 'codicon-0b1c2d.ttf'), Buffer.from([0, 1, 0, 0]));
    await writeFile(path.join(client, 'assets', 'editor.worker-9e8d7c.js'), 'self.onmessage=()=>{};');
    await writeFile(path.join(workDir, 'export.tar.gz'), Buffer.from('package bytes'));
    server = await createStudioServer({
      host: '127.0.0.1',
      port: 0,
      token: testToken,
      staticDir: client,
      handlers: {},
      log,
      downloads: (id) => {
        if (id === 'pkg-broken') throw new Error('the export store is unreadable');
        return id === 'pkg-1' ? { filePath: path.join(workDir, 'export.tar.gz'), fileName: 'asset transfer_1.0 "β".tar.gz' } : undefined;
      },
    });
  });
  afterAll(async () => {
    await server.close();
    await rm(workDir, { recursive: true, force: true });
  });

  it('reports its url and port', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('serves index.html for / with no-cache', async () => {
    const res = await httpRequest(server.port, '/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body.toString()).toBe(indexHtml);
  });

  it('serves index.html for unknown app paths (single-page app)', async () => {
    for (const appPath of ['/workspace/demo', '/workspace/demo/src?tab=logs', '/debug']) {
      const res = await httpRequest(server.port, appPath);
      expect(res.status).toBe(200);
      expect(res.body.toString()).toBe(indexHtml);
    }
  });

  it('serves hashed assets with their content type and a long-lived immutable cache', async () => {
    const cases: [string, string][] = [
      ['/assets/index-4f2a9c.js', 'text/javascript; charset=utf-8'],
      ['/assets/index-77aa01.css', 'text/css; charset=utf-8'],
      ['/assets/codicon-0b1c2d.ttf', 'font/ttf'],
      ['/assets/editor.worker-9e8d7c.js', 'text/javascript; charset=utf-8'],
    ];
    for (const [assetPath, contentType] of cases) {
      const res = await httpRequest(server.port, assetPath);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe(contentType);
      expect(res.headers['cache-control']).toBe(`public, max-age=${immutableAssetMaxAgeSeconds}, immutable`);
    }
    expect((await httpRequest(server.port, '/assets/index-4f2a9c.js')).body.toString()).toBe(appJs);
  });

  it('serves other files with no-cache and answers a matching ETag with 304', async () => {
    const res = await httpRequest(server.port, '/favicon.svg');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/svg+xml');
    expect(res.headers['cache-control']).toBe('no-cache');
    const again = await httpRequest(server.port, '/favicon.svg', { headers: { 'If-None-Match': String(res.headers.etag) } });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('answers 404 for missing assets and missing files with an extension, not index.html', async () => {
    expect((await httpRequest(server.port, '/assets/gone-123.js')).status).toBe(404);
    expect((await httpRequest(server.port, '/assets/')).status).toBe(404);
    expect((await httpRequest(server.port, '/robots.txt')).status).toBe(404);
  });

  it('does not serve dotfiles', async () => {
    const res = await httpRequest(server.port, '/.env');
    expect(res.status).toBe(404);
    expect(res.body.toString()).not.toContain('SECRET');
  });

  it('refuses directory traversal, plain or encoded', async () => {
    for (const attempt of [
      '/../package.json',
      '/%2e%2e/package.json',
      '/%2E%2E/package.json',
      '/assets/../../package.json',
      '/assets/%2e%2e%2f%2e%2e%2fpackage.json',
      '/..%2fpackage.json',
      '/..%5cpackage.json',
      '/%2e%2e%5cpackage.json',
      '/assets/%00.js',
      '/%E0%A4%A',
    ]) {
      const res = await httpRequest(server.port, attempt);
      expect(res.status, attempt).toBe(400);
      expect(res.body.toString(), attempt).not.toContain('not-for-the-browser');
    }
  });

  it('sets the security headers, with a CSP that lets Monaco run', async () => {
    const res = await httpRequest(server.port, '/');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("worker-src 'self' blob:");
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${server.port}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-eval');
  });

  it('keeps an odd Host header out of the CSP', async () => {
    const res = await httpRequest(server.port, '/', { headers: { Host: "evil; script-src 'unsafe-inline'" } });
    expect(String(res.headers['content-security-policy'])).toContain("connect-src 'self';");
  });

  it('answers /healthz with 200 JSON', async () => {
    const res = await httpRequest(server.port, '/healthz');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(res.body.toString())).toMatchObject({ ok: true, connections: 0 });
  });

  it('answers methods other than GET and HEAD with 405', async () => {
    const res = await httpRequest(server.port, '/', { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
  });

  it('answers a plain GET of /ws with 426', async () => {
    expect((await httpRequest(server.port, '/ws')).status).toBe(426);
  });

  describe('downloads', () => {
    it('needs the token', async () => {
      expect((await httpRequest(server.port, '/download/pkg-1')).status).toBe(403);
      expect((await httpRequest(server.port, '/download/pkg-1?token=')).status).toBe(403);
      const wrong = await httpRequest(server.port, '/download/pkg-1?token=wrong');
      expect(wrong.status).toBe(403);
      expect(wrong.body.toString()).not.toContain('package bytes');
    });

    it('streams the file as an attachment with the token', async () => {
      const res = await httpRequest(server.port, `/download/pkg-1?token=${testToken}`);
      expect(res.status).toBe(200);
      expect(res.body.toString()).toBe('package bytes');
      expect(res.headers['content-type']).toBe('application/gzip');
      expect(res.headers['content-length']).toBe(String('package bytes'.length));
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['content-disposition']).toBe(
        `attachment; filename="asset transfer_1.0 ___.tar.gz"; filename*=UTF-8''asset%20transfer_1.0%20%22%CE%B2%22.tar.gz`,
      );
    });

    it('answers a failed download with 500 and logs its URL without the token', async () => {
      const res = await httpRequest(server.port, `/download/pkg-broken?token=${testToken}`);
      expect(res.status).toBe(500);
      const logged = log.errors.find((e) => e.message.includes('/download/pkg-broken'));
      expect(logged?.message).toBe('HTTP GET /download/pkg-broken?[redacted] failed:');
      expect(JSON.stringify(log.errors.map((e) => e.message))).not.toContain(testToken);
    });

    it('answers 404 for unknown or malformed ids', async () => {
      expect((await httpRequest(server.port, `/download/pkg-2?token=${testToken}`)).status).toBe(404);
      expect((await httpRequest(server.port, `/download/..%2fpkg-1?token=${testToken}`)).status).toBe(404);
      expect((await httpRequest(server.port, `/download/%E0%A4%A?token=${testToken}`)).status).toBe(404);
    });
  });
});

describe('studio HTTP server without a built client', () => {
  it('explains how to build the client instead of failing', async () => {
    const server = await createStudioServer({
      host: '127.0.0.1',
      port: 0,
      token: testToken,
      staticDir: path.join(tmpdir(), 'studio-no-such-client-dir'),
      handlers: {},
      log: capturingLog(),
    });
    try {
      const res = await httpRequest(server.port, '/');
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body.toString()).toContain('Run <code>npm start</code> to build the client');
      expect((await httpRequest(server.port, '/assets/index-4f2a9c.js')).status).toBe(404);
      expect((await httpRequest(server.port, '/healthz')).status).toBe(200);
      expect((await httpRequest(server.port, '/download/pkg-1?token=' + testToken)).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('refuses to start with an empty token', async () => {
    await expect(
      createStudioServer({ host: '127.0.0.1', port: 0, token: '', staticDir: tmpdir(), handlers: {}, log: capturingLog() }),
    ).rejects.toThrow('token must not be empty');
  });
});
