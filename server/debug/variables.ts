/**
 * Variable references: the numbers DAP hands the client for anything it can
 * expand (a scope, an object, a Buffer), and the listing of their children.
 * References live until the debuggee resumes, as in DAP; a stale one is an
 * error the user can understand, not a crash.
 */
import type { Protocol } from 'devtools-protocol';
import type { Variable } from '../../protocol/messages.ts';
import { debugBufferDetailBytes, debugBufferPreviewBytes, debugMaxChildVariables } from '../config.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import type { CdpConnection } from './cdpConnection.ts';
import {
  bufferReaderFunction,
  formatBuffer,
  formatValue,
  isBuffer,
  isExpandable,
  typeOf,
  type BufferBytes,
} from './remoteValues.ts';

type RemoteObject = Protocol.Runtime.RemoteObject;

/** CDP object group of every handle we create, released in one call on resume. */
export const objectGroup = 'studio-debug';

/** A named value shown at the top of a scope, e.g. `this` in Local. */
export interface ExtraVariable {
  readonly name: string;
  readonly value: RemoteObject;
}

type Handle =
  | { kind: 'scope'; objectId: string; extras: readonly ExtraVariable[] }
  | { kind: 'object'; object: RemoteObject }
  | { kind: 'buffer'; object: RemoteObject };

// Internal slots that are noise in a variables pane.
const hiddenInternals = new Set(['[[Prototype]]', '[[Scopes]]', '[[FunctionLocation]]', '[[IsGenerator]]']);

const arrayHeadFunction = `function (n) {
  const head = {};
  for (let i = 0; i < n && i < this.length; i++) head[i] = this[i];
  return head;
}`;

/** A value ready to show: its text, type, and reference (0 when it has no children). */
export interface DescribedValue {
  readonly value: string;
  readonly type: string;
  readonly variablesReference: number;
}

export class VariableStore {
  #cdp: CdpConnection;
  #handles = new Map<number, Handle>();
  // Never reset, so a reference from an earlier pause cannot alias a new one.
  #nextRef = 1;

  constructor(cdp: CdpConnection) {
    this.#cdp = cdp;
  }

  /** A reference for a scope object, with extra variables listed first. */
  scopeReference(objectId: string, extras: readonly ExtraVariable[] = []): number {
    return this.#add({ kind: 'scope', objectId, extras });
  }

  /** Text, type and reference for a value; reads a Buffer's first bytes to show them. */
  async describe(value: RemoteObject): Promise<DescribedValue> {
    if (isBuffer(value)) {
      const bytes = await this.#readBuffer(value, debugBufferPreviewBytes + 1).catch(() => undefined);
      return {
        value: bytes ? formatBuffer(bytes) : (value.description ?? 'Buffer'),
        type: 'Buffer',
        variablesReference: this.#add({ kind: 'buffer', object: value }),
      };
    }
    return {
      value: formatValue(value),
      type: typeOf(value),
      variablesReference: isExpandable(value) ? this.#add({ kind: 'object', object: value }) : 0,
    };
  }

  /** The children of a reference. */
  async variables(reference: number): Promise<Variable[]> {
    const handle = this.#handles.get(reference);
    if (!handle) {
      throw new StudioError(ErrorCode.Debugger, 'That value is no longer available: the program has resumed since it was shown');
    }
    switch (handle.kind) {
      case 'scope': {
        const extras = await Promise.all(handle.extras.map((extra) => this.#variable(extra.name, extra.value)));
        return [...extras, ...(await this.#properties(handle.objectId))];
      }
      case 'object':
        return this.#objectChildren(handle.object);
      case 'buffer':
        return this.#bufferChildren(handle.object);
    }
  }

  /** Forgets every reference and lets the debuggee free the objects behind them. */
  clear(): void {
    if (this.#handles.size === 0) return;
    this.#handles.clear();
    if (this.#cdp.isOpen) this.#cdp.send('Runtime.releaseObjectGroup', { objectGroup }).catch(() => undefined);
  }

  #add(handle: Handle): number {
    const reference = this.#nextRef++;
    this.#handles.set(reference, handle);
    return reference;
  }

  async #variable(name: string, value: RemoteObject): Promise<Variable> {
    const described = await this.describe(value);
    return { name, ...described };
  }

  async #objectChildren(object: RemoteObject): Promise<Variable[]> {
    const objectId = object.objectId;
    if (objectId === undefined) return [];
    const length = arrayLength(object);
    if (length !== undefined && length > debugMaxChildVariables) {
      // Listing a huge array would ship every element; show its head and say so.
      const head = await this.#cdp.send('Runtime.callFunctionOn', {
        objectId,
        functionDeclaration: arrayHeadFunction,
        arguments: [{ value: debugMaxChildVariables }],
        objectGroup,
        silent: true,
      });
      const children = head.result.objectId ? await this.#properties(head.result.objectId) : [];
      const more = length - debugMaxChildVariables;
      return [...children, { name: '…', value: `${more} more items`, variablesReference: 0 }, lengthVariable(length)];
    }
    return this.#properties(objectId);
  }

  async #properties(objectId: string): Promise<Variable[]> {
    const { result, internalProperties, privateProperties } = await this.#cdp.send('Runtime.getProperties', {
      objectId,
      ownProperties: true,
      generatePreview: true,
    });
    const shown = result.filter((p) => p.name !== '__proto__').slice(0, debugMaxChildVariables);
    const variables = await Promise.all(shown.map((p) => this.#property(p.name, p)));
    const privates = await Promise.all((privateProperties ?? []).map((p) => this.#property(p.name, p)));
    const internals = await Promise.all(
      (internalProperties ?? [])
        .filter((p) => !hiddenInternals.has(p.name) && p.value !== undefined)
        .map((p) => this.#variable(p.name, p.value as RemoteObject)),
    );
    return [...variables, ...privates, ...internals];
  }

  #property(
    name: string,
    p: Pick<Protocol.Runtime.PropertyDescriptor, 'value' | 'get' | 'set'>,
  ): Promise<Variable> | Variable {
    if (p.value) return this.#variable(name, p.value);
    // Accessors are not invoked: a getter can run arbitrary code or change state.
    if (p.get && p.get.type !== 'undefined') return { name, value: '(getter)', type: 'accessor', variablesReference: 0 };
    if (p.set && p.set.type !== 'undefined') return { name, value: '(setter)', type: 'accessor', variablesReference: 0 };
    return { name, value: 'undefined', type: 'undefined', variablesReference: 0 };
  }

  async #bufferChildren(buffer: RemoteObject): Promise<Variable[]> {
    const bytes = await this.#readBuffer(buffer, debugBufferDetailBytes);
    const more = bytes.clipped ? ` (first ${debugBufferDetailBytes} bytes)` : '';
    return [
      lengthVariable(bytes.length),
      { name: `utf8${more}`, value: JSON.stringify(bytes.utf8), type: 'string', variablesReference: 0 },
      { name: `hex${more}`, value: bytes.hex, type: 'string', variablesReference: 0 },
    ];
  }

  async #readBuffer(buffer: RemoteObject, limit: number): Promise<BufferBytes> {
    if (buffer.objectId === undefined) throw new StudioError(ErrorCode.Debugger, 'The Buffer has no object id');
    const { result, exceptionDetails } = await this.#cdp.send('Runtime.callFunctionOn', {
      objectId: buffer.objectId,
      functionDeclaration: bufferReaderFunction,
      arguments: [{ value: limit }],
      returnByValue: true,
      silent: true,
    });
    if (exceptionDetails) throw new StudioError(ErrorCode.Debugger, 'Could not read the Buffer');
    return result.value as BufferBytes;
  }
}

function arrayLength(object: RemoteObject): number | undefined {
  if (object.subtype !== 'array' && object.subtype !== 'typedarray') return undefined;
  const match = /\((\d+)\)/.exec(object.description ?? '');
  return match ? Number(match[1]) : undefined;
}

function lengthVariable(length: number): Variable {
  return { name: 'length', value: String(length), type: 'number', variablesReference: 0 };
}
