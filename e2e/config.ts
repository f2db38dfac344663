/** Timings and paths of the browser tests, named with their units. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** This folder. */
export const e2eRoot = path.dirname(fileURLToPath(import.meta.url));
/** The repository root. */
export const projectRoot = path.resolve(e2eRoot, '..');
/** Where the tests save screenshots of the main screens (gitignored). */
export const screenshotDir = path.join(projectRoot, 'e2e-screenshots');

/** How long the spawned server may take to answer /healthz. */
export const serverHealthTimeoutMs = 30_000;
/** First Run of a workspace: create the sandbox (peer, orderer, channel) and start the chaincode. */
export const sandboxReadyTimeoutMs = 180_000;
/** A restart of the chaincode after a save, or a Run on a ready sandbox. */
export const chaincodeRestartTimeoutMs = 60_000;
/** One submit or evaluate, end to end. */
export const invokeTimeoutMs = 60_000;
/** An export: compile, production lockfile (cached after the first), tar. */
export const exportTimeoutMs = 240_000;
