/** The shared protocol module: imported by both the client and the server. */
export * from './errors.ts';
export * from './messages.ts';
export * from './fabric.ts';
export * from './errorData.ts';
