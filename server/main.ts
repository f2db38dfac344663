/**
 * Starts Chaincode Studio: one HTTP server for the built client and the
 * WebSocket, the app behind it, and reattachment to sandboxes a previous run
 * left behind. Settings come from the environment (see README).
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createApp } from './app.ts';
import { warmUpCompiler } from './compile/compileWorkspace.ts';
import { clientDistDir, defaultDataDir, defaultHost, defaultPort, metricsHost, metricsPath, metricsPort, workspaceTokenTtlMs } from './config.ts';
import { createStudioServer } from './http/index.ts';
import { createTokenAuthority } from './http/tokenScope.ts';
import { startMetricsServer, type MetricsServer } from './metrics/metricsServer.ts';
import { createDocker } from './sandbox/docker.ts';
import { prepareDataDir, secretFileMode, tokenFileName } from './workspace/dataDir.ts';
import { sweepLeftovers } from './workspace/sweepLeftovers.ts';
import { workspaceGeneration } from './workspace/workspaceGeneration.ts';
import { createHub } from './ws/index.ts';

/** The access token survives restarts so open browser tabs reconnect by themselves. */
async function loadToken(dataDir: string): Promise<string> {
  if (process.env.STUDIO_TOKEN) return process.env.STUDIO_TOKEN;
  const file = path.join(dataDir, tokenFileName);
  try {
    const token = (await fs.readFile(file, 'utf8')).trim();
    if (token.length >= 32) return token;
  } catch {
    // First start: make one below.
  }
  const token = randomBytes(24).toString('hex');
  await fs.writeFile(file, `${token}\n`, { mode: secretFileMode });
  return token;
}

async function main(): Promise<void> {
  const host = process.env.STUDIO_HOST ?? defaultHost;
  const port = Number(process.env.STUDIO_PORT ?? defaultPort);
  const dataDir = path.resolve(process.env.STUDIO_DATA_DIR ?? defaultDataDir);
  await prepareDataDir(dataDir);
  const swept = await sweepLeftovers({ dataDir });
  if (swept.tempFiles + swept.workspaceFolders + swept.deployFolders > 0) {
    console.log(
      `Removed what the previous run left behind: ${swept.tempFiles} unfinished file writes, ` +
        `${swept.workspaceFolders} half-created or half-deleted workspaces, ${swept.deployFolders} deploy folders.`,
    );
  }
  const token = await loadToken(dataDir);

  const hub = createHub();
  const tokens = createTokenAuthority({ mainToken: token, generationOf: (workspace) => workspaceGeneration(dataDir, workspace), workspaceTokenTtlMs });
  const app = createApp({ dataDir, docker: createDocker(), hub: () => hub, tokens, ...(process.env.STUDIO_INSTANCE ? { instance: process.env.STUDIO_INSTANCE } : {}) });
  const extraOrigins = (process.env.STUDIO_ALLOWED_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  const server = await createStudioServer({
    host,
    port,
    token,
    tokens,
    staticDir: clientDistDir,
    handlers: app.handlers,
    downloads: app.downloads,
    workspaceZips: app.workspaceZips,
    clientConnectionFiles: app.clientConnectionFiles,
    archiveImports: app.archiveImports,
    hub,
    ...(extraOrigins.length > 0 ? { allowedOrigins: [`http://${host}:${port}`, `http://127.0.0.1:${port}`, `http://localhost:${port}`, ...extraOrigins] } : {}),
  });
  // Off unless asked for: the numbers are for whoever hosts the studio, on a port of their own.
  let metricsServer: MetricsServer | undefined;
  if (metricsPort !== undefined) {
    metricsServer = await startMetricsServer({ host: metricsHost, port: metricsPort, metrics: app.metrics });
    console.log(`Prometheus metrics: ${metricsServer.url}${metricsPath}`);
  }
  await app.reattach().catch((err: unknown) => console.error(`Reattaching to sandboxes failed: ${String(err)}`));
  void app.startPool().catch((err: unknown) => console.error(`The warm pool could not start (Run starts sandboxes as they are needed): ${String(err)}`));
  // Start the compile workers now, in the background, so the first Run does not pay for loading the compiler.
  const warmUpStarted = performance.now();
  void warmUpCompiler().then(
    () => console.log(`The compiler is warmed up (${Math.round(performance.now() - warmUpStarted)} ms).`),
    (err: unknown) => console.error(`Warming up the compiler failed (the first Run will be slower): ${String(err)}`),
  );

  console.log(`\nChaincode Studio is running. Open this address in your browser:\n\n  ${server.url}/?token=${token}\n`);
  console.log(`Workspaces are kept in ${path.join(dataDir, 'workspaces')}. Press Ctrl+C to stop (sandboxes keep running and are reattached next time).`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the server`);
    await app.close();
    await server.close();
    await metricsServer?.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
