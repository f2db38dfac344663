/**
 * Tar archives laid out exactly as Fabric's Go tools write them
 * (`peer lifecycle chaincode package`, `WriteFileToPackage`): USTAR headers
 * as Go's `archive/tar` encodes them, regular files only, no directory
 * entries, and no padding after the two closing zero blocks.
 *
 * We write the headers ourselves rather than with tar-stream because
 * tar-stream encodes numbers differently (`000644 \0` where Go writes
 * `0100644\0`); with our own encoder the uncompressed archives are
 * byte-identical to the peer CLI's, which the tests check.
 */
import { ErrorCode, StudioError } from '../errors.ts';

/** One regular file of an archive. */
export interface TarFile {
  /** Slash-separated path inside the archive, never absolute. */
  readonly path: string;
  readonly content: Uint8Array;
  /** A directory entry (the golang packager writes them first, rwxr-xr-x); the content is then empty. */
  readonly directory?: boolean;
}

/** Owner written into each header: Fabric uses 0/0 for the outer package and 500/500 for code files. */
export interface TarOwner {
  readonly uid: number;
  readonly gid: number;
}

const blockBytes = 512;
const nameBytes = 100;
const prefixBytes = 155;
/** Regular file, rw-r--r--: the mode Fabric writes for every entry, type bits included. */
const regularFileMode = 0o100644;
/** Directory, rwxr-xr-x, type bits included (`c_ISDIR | 0o755` in Fabric's golang packager). */
const directoryMode = 0o40755;

/**
 * Writes `files` in the given order as a Go-style USTAR archive.
 * Throws `export` for a path that USTAR cannot hold without PAX records.
 */
export function writeFabricTar(files: readonly TarFile[], owner: TarOwner): Buffer {
  const parts: Buffer[] = [];
  for (const file of files) {
    parts.push(header(file.directory ? `${file.path}/` : file.path, file.content.byteLength, owner, file.directory === true));
    parts.push(Buffer.from(file.content.buffer, file.content.byteOffset, file.content.byteLength));
    const padding = (blockBytes - (file.content.byteLength % blockBytes)) % blockBytes;
    if (padding > 0) parts.push(Buffer.alloc(padding));
  }
  parts.push(Buffer.alloc(2 * blockBytes));
  return Buffer.concat(parts);
}

function header(path: string, size: number, owner: TarOwner, directory = false): Buffer {
  const { prefix, name } = splitPath(path);
  const block = Buffer.alloc(blockBytes);
  block.write(name, 0, nameBytes, 'ascii');
  writeOctal(block, 100, 8, directory ? directoryMode : regularFileMode);
  writeOctal(block, 108, 8, owner.uid);
  writeOctal(block, 116, 8, owner.gid);
  writeOctal(block, 124, 12, size);
  // Fabric zeroes the modification time so that the bytes do not depend on when files were written.
  writeOctal(block, 136, 12, 0);
  block.write(directory ? '5' : '0', 156, 1, 'ascii');
  block.write('ustar\u000000', 257, 8, 'ascii');
  writeOctal(block, 329, 8, 0);
  writeOctal(block, 337, 8, 0);
  block.write(prefix, 345, prefixBytes, 'ascii');
  // The checksum is summed with its own field read as spaces, then written as Go does: 6 digits, NUL, space.
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  writeOctal(block, 148, 7, sum);
  block[155] = 0x20;
  return block;
}

/** Zero-padded octal with a trailing NUL, filling `width` bytes, as Go's `formatOctal`. */
function writeOctal(block: Buffer, offset: number, width: number, value: number): void {
  const digits = value.toString(8).padStart(width - 1, '0');
  if (digits.length > width - 1) {
    throw new StudioError(ErrorCode.Export, `A number in a tar header is too large: ${value}.`);
  }
  block.write(digits, offset, width - 1, 'ascii');
  block[offset + width - 1] = 0;
}

/** Splits a long path into USTAR prefix and name the way Go's `splitUSTARPath` does. */
function splitPath(path: string): { prefix: string; name: string } {
  // eslint-disable-next-line no-control-regex
  if (!/^[\x01-\x7f]+$/.test(path)) {
    throw new StudioError(
      ErrorCode.Export,
      `Cannot package "${path}": file names in a chaincode package must be ASCII.`,
    );
  }
  if (path.length <= nameBytes) return { prefix: '', name: path };
  let length = Math.min(path.length, prefixBytes + 1);
  if (path[length - 1] === '/') length -= 1;
  const slash = path.lastIndexOf('/', length - 1);
  const nameLength = path.length - slash - 1;
  if (slash <= 0 || nameLength > nameBytes || nameLength === 0 || slash > prefixBytes) {
    throw new StudioError(
      ErrorCode.Export,
      `Cannot package "${path}": the path is too long for a chaincode package (at most ${prefixBytes} + ${nameBytes} characters, split at a "/").`,
    );
  }
  return { prefix: path.slice(0, slash), name: path.slice(slash + 1) };
}
