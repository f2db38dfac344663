/**
 * Small declarations for what the Fabric typings import but we do not ship
 * (winston, long, grpc) and the few Node globals chaincode uses. Enough for
 * IntelliSense, far smaller than @types/node; the Node globals give way to a
 * workspace's installed @types/node (see editorLibs.ts).
 */

/** Each package's stub, given way to when the workspace has the package installed. */
export const moduleStubs: Readonly<Record<string, string>> = {
  winston: `
declare module 'winston' {
  export interface Logger {
    error(message: string, ...meta: unknown[]): Logger;
    warn(message: string, ...meta: unknown[]): Logger;
    info(message: string, ...meta: unknown[]): Logger;
    debug(message: string, ...meta: unknown[]): Logger;
    level: string;
  }
}
`,
  long: `
declare module 'long' {
  class Long {
    constructor(low: number, high?: number, unsigned?: boolean);
    low: number;
    high: number;
    unsigned: boolean;
    toNumber(): number;
    toString(radix?: number): string;
    static fromNumber(value: number, unsigned?: boolean): Long;
    static fromString(str: string, unsigned?: boolean, radix?: number): Long;
  }
  export = Long;
}
`,
  '@grpc/grpc-js': `
declare module '@grpc/grpc-js' {
  export interface ChannelOptions { [key: string]: string | number | undefined }
}
`,
};

/** The Node globals chaincode uses. */
export const nodeGlobalStubs = `
type BufferEncoding = 'ascii' | 'utf8' | 'utf-8' | 'utf16le' | 'base64' | 'base64url' | 'latin1' | 'binary' | 'hex';
interface Buffer extends Uint8Array {
  toString(encoding?: BufferEncoding, start?: number, end?: number): string;
  toJSON(): { type: 'Buffer'; data: number[] };
  equals(other: Uint8Array): boolean;
}
declare var Buffer: {
  from(data: string, encoding?: BufferEncoding): Buffer;
  from(data: ArrayLike<number> | ArrayBufferLike): Buffer;
  alloc(size: number): Buffer;
  isBuffer(value: unknown): value is Buffer;
  concat(list: readonly Uint8Array[]): Buffer;
  byteLength(value: string, encoding?: BufferEncoding): number;
};
declare var process: { env: Record<string, string | undefined>; argv: string[]; exit(code?: number): never; pid: number };
declare var require: (id: string) => any;
declare var module: { exports: any };
declare var exports: any;
declare var __dirname: string;
declare var __filename: string;
`;
