/** The HTTP edge: the studio server (static client, health, downloads, WebSocket upgrade). */
export { createStudioServer, type StudioServer, type StudioServerOptions } from './studioServer.ts';
export { downloadPath, type DownloadFile, type DownloadResolver } from './downloadRoute.ts';
export { tokenMatches } from './token.ts';
export { contentSecurityPolicy } from './securityHeaders.ts';
