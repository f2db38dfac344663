/**
 * How a value in the debuggee reads in the Variables pane: strings quoted,
 * objects as a one-line preview, Buffers as text plus hex. Formatting works on
 * what CDP already sent (the RemoteObject and its preview); nothing here runs
 * code in the debuggee except `describeBuffer`, which reads bytes.
 */
import type { Protocol } from 'devtools-protocol';
import { debugBufferPreviewBytes, debugMaxValueChars } from '../config.ts';

type RemoteObject = Protocol.Runtime.RemoteObject;

/** The text shown for a value. */
export function formatValue(value: RemoteObject): string {
  return truncate(formatUnclipped(value), debugMaxValueChars);
}

/** The type shown for a value: the JS type, or the class name for objects. */
export function typeOf(value: RemoteObject): string {
  if (value.type === 'object') {
    if (value.subtype === 'null') return 'null';
    return value.className ?? 'Object';
  }
  return value.type;
}

/** Whether the value has children to expand. */
export function isExpandable(value: RemoteObject): boolean {
  return (value.type === 'object' || value.type === 'function') && value.subtype !== 'null' && value.objectId !== undefined;
}

export function isBuffer(value: RemoteObject): boolean {
  return value.type === 'object' && value.subtype === 'typedarray' && value.className === 'Buffer' && value.objectId !== undefined;
}

/** Bytes of a Buffer as the debuggee reports them, see {@link bufferReaderFunction}. */
export interface BufferBytes {
  length: number;
  utf8: string;
  hex: string;
  /** True when only the first bytes were read. */
  clipped: boolean;
}

/**
 * The function run on a Buffer (with Runtime.callFunctionOn) to read its first
 * `limit` bytes; plain indexing and TextDecoder, no user code.
 */
export const bufferReaderFunction = `function (limit) {
  const n = Math.min(this.length, limit);
  let hex = '';
  for (let i = 0; i < n; i++) hex += (i ? ' ' : '') + (this[i] < 16 ? '0' : '') + this[i].toString(16);
  const utf8 = new TextDecoder('utf-8').decode(Uint8Array.prototype.subarray.call(this, 0, n));
  return { length: this.length, utf8, hex, clipped: n < this.length };
}`;

/** `Buffer(5) "hello" <68 65 6c 6c 6f>`: readable text (non-printables escaped) and the bytes. */
export function formatBuffer(bytes: BufferBytes, previewBytes = debugBufferPreviewBytes): string {
  const hexBytes = bytes.hex === '' ? [] : bytes.hex.split(' ');
  const shownHex = hexBytes.slice(0, previewBytes).join(' ');
  const hexMore = hexBytes.length > previewBytes || bytes.clipped ? ' …' : '';
  const text = JSON.stringify(bytes.utf8.length > previewBytes ? bytes.utf8.slice(0, previewBytes) : bytes.utf8);
  const textMore = bytes.utf8.length > previewBytes || bytes.clipped ? '…' : '';
  return `Buffer(${bytes.length}) ${text}${textMore} <${shownHex}${hexMore}>`;
}

function formatUnclipped(value: RemoteObject): string {
  switch (value.type) {
    case 'string':
      return JSON.stringify(value.value);
    case 'undefined':
      return 'undefined';
    case 'number':
    case 'bigint':
    case 'boolean':
      return value.unserializableValue ?? value.description ?? String(value.value);
    case 'symbol':
      return value.description ?? 'Symbol()';
    case 'function':
      return formatFunction(value);
    case 'object':
      return formatObject(value);
  }
}

function formatFunction(value: RemoteObject): string {
  const firstLine = (value.description ?? 'function').split('\n')[0] ?? 'function';
  const header = /^(?:async\s+)?(?:function\*?|class)\b[^{]*|^[^=]*=>/.exec(firstLine)?.[0] ?? firstLine;
  return `ƒ ${truncate(header.trim(), 120)}`;
}

function formatObject(value: RemoteObject): string {
  if (value.subtype === 'null') return 'null';
  if (value.subtype === 'error') return (value.description ?? 'Error').split('\n')[0] ?? 'Error';
  if (value.subtype === 'regexp' || value.subtype === 'date') return value.description ?? String(value.subtype);
  if (value.preview) return formatPreview(value.preview, value.description);
  return value.description ?? value.className ?? 'Object';
}

function formatPreview(preview: Protocol.Runtime.ObjectPreview, description: string | undefined): string {
  if (preview.subtype === 'array' || preview.subtype === 'typedarray') {
    const items = preview.properties.map((p) => formatPropertyPreview(p));
    return `${description ?? 'Array'} [${items.join(', ')}${preview.overflow ? ', …' : ''}]`;
  }
  if (preview.entries) {
    const entries = preview.entries.map((e) =>
      e.key ? `${formatNestedPreview(e.key)} => ${formatNestedPreview(e.value)}` : formatNestedPreview(e.value),
    );
    return `${description ?? 'Map'} {${entries.join(', ')}${preview.overflow ? ', …' : ''}}`;
  }
  const props = preview.properties.map((p) => `${p.name}: ${formatPropertyPreview(p)}`);
  const prefix = description && description !== 'Object' ? `${description} ` : '';
  return `${prefix}{${props.join(', ')}${preview.overflow ? ', …' : ''}}`;
}

function formatPropertyPreview(p: Protocol.Runtime.PropertyPreview): string {
  if (p.valuePreview) return formatNestedPreview(p.valuePreview);
  if (p.type === 'string') return JSON.stringify(p.value ?? '');
  if (p.type === 'accessor') return '(getter)';
  if (p.type === 'function') return 'ƒ';
  return p.value ?? p.type;
}

function formatNestedPreview(preview: Protocol.Runtime.ObjectPreview): string {
  if (preview.type === 'string') return JSON.stringify(preview.description ?? '');
  if (preview.type !== 'object') return preview.description ?? preview.type;
  if (preview.subtype === 'array') return preview.description ?? 'Array';
  if (preview.subtype === 'null') return 'null';
  return preview.description === 'Object' ? '{…}' : (preview.description ?? '{…}');
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
