/**
 * Workspaces hold text only: what may be stored, and the version string a
 * client uses to tell whether the file changed under it.
 */
import { createHash } from 'node:crypto';
import { maxFileBytes } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';

// A lone surrogate cannot be encoded as UTF-8; Buffer.from would silently replace it.
const loneSurrogate = /\p{Cs}/u;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A short, stable fingerprint of a file's content (first 16 hex digits of its SHA-256). */
export function contentVersion(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}

function tooLarge(rel: string, size: number): StudioError {
  return new StudioError(
    ErrorCode.BadFile,
    `The file "${rel}" is ${size} bytes, over the ${maxFileBytes}-byte limit: split it into smaller files.`,
  );
}

/** Checks a file's size before reading it. */
export function assertReadableSize(rel: string, size: number): void {
  if (size > maxFileBytes) throw tooLarge(rel, size);
}

/** Decodes file bytes as UTF-8 text, refusing binary content (NUL bytes or invalid UTF-8). */
export function decodeText(rel: string, bytes: Uint8Array): string {
  if (bytes.byteLength > maxFileBytes) throw tooLarge(rel, bytes.byteLength);
  if (bytes.includes(0)) {
    throw new StudioError(ErrorCode.BadFile, `The file "${rel}" contains NUL bytes, so it is binary: the studio edits text files only.`);
  }
  try {
    return strictUtf8.decode(bytes);
  } catch (cause) {
    throw new StudioError(ErrorCode.BadFile, `The file "${rel}" is not valid UTF-8: save it as UTF-8 text.`, { cause });
  }
}

/** Encodes text for disk, refusing NUL characters, unpaired surrogates and oversize content. */
export function encodeText(rel: string, content: string): Buffer {
  if (content.includes('\0')) {
    throw new StudioError(ErrorCode.BadFile, `The content for "${rel}" contains NUL characters: the studio stores text files only.`);
  }
  if (loneSurrogate.test(content)) {
    throw new StudioError(ErrorCode.BadFile, `The content for "${rel}" is not valid Unicode (an unpaired surrogate): it cannot be saved as UTF-8.`);
  }
  const bytes = Buffer.from(content, 'utf8');
  if (bytes.byteLength > maxFileBytes) throw tooLarge(rel, bytes.byteLength);
  return bytes;
}
