/**
 * The rule a transaction's arguments must follow, checked by the browser
 * (beside each field, before anything is sent) and by the server (for any
 * client): each argument must read as its parameter's type in the contract
 * metadata, and every parameter needs a value. The metadata's types are JSON
 * schema types; fabric-contract-api converts the argument strings the same way
 * (a number with `Number`, a boolean from `true`/`false`, objects and arrays
 * from JSON), so what passes here is what the chaincode can take.
 */

/** The JSON schema types a parameter can have; `any` when its schema names none (plain JavaScript). */
export type ArgType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'any';

/** The part of a parameter's JSON schema the rule reads. */
export interface ArgSchema {
  type: ArgType;
  /** For arrays: the schema of each element. */
  items?: ArgSchema;
}

/** A parameter as the rule sees it (ContractParam carries these fields). */
export interface CheckedParam {
  readonly name: string;
  readonly schema?: ArgSchema;
  /**
   * Fabric passes every parameter by position, so each one needs a value; only a
   * parameter whose metadata says `"required": false` may be left empty (as "").
   */
  readonly required?: boolean;
}

/** One argument that does not fit: which parameter, and why, in words that name it. */
export interface ArgumentProblem {
  readonly index: number;
  readonly name: string;
  readonly message: string;
}

const argTypes: readonly ArgType[] = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'any'];

/**
 * The ArgSchema of a raw JSON schema from contract metadata: a `$ref` to a
 * component is an object, an unknown or missing type is `any`.
 */
export function argSchemaOf(raw: unknown, depth = 0): ArgSchema {
  if (raw === null || typeof raw !== 'object' || depth > 8) return { type: 'any' };
  const schema = raw as { type?: unknown; $ref?: unknown; items?: unknown };
  if (typeof schema.$ref === 'string') return { type: 'object' };
  const type = argTypes.find((t) => t === schema.type) ?? 'any';
  return type === 'array' && schema.items !== undefined ? { type, items: argSchemaOf(schema.items, depth + 1) } : { type };
}

/** How a value is quoted in a message: short, so a pasted document does not fill the screen. */
function quoted(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

/** Whether a parsed JSON value has the schema's type. */
function jsonFits(value: unknown, schema: ArgSchema): boolean {
  switch (schema.type) {
    case 'any':
      return true;
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    case 'array':
      return Array.isArray(value) && (schema.items === undefined || value.every((v) => jsonFits(v, schema.items as ArgSchema)));
  }
}

function parseJson(value: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(value) as unknown };
  } catch {
    return { ok: false };
  }
}

const typeWords: Record<ArgType, string> = {
  string: 'text',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  object: 'a JSON object, e.g. {"key": "value"}',
  array: 'a JSON array, e.g. [1, 2]',
  any: 'a value',
};

/** Why `value` does not fit `param`, or undefined when it does. */
export function argumentProblem(param: CheckedParam, value: string): string | undefined {
  const schema = param.schema ?? { type: 'any' };
  if (value.trim() === '') {
    const emptyAllowed = (schema.type === 'string' || schema.type === 'any') && param.required === false;
    if (value === '' && emptyAllowed) return undefined;
    if (schema.type !== 'string' && schema.type !== 'any') return `${param.name} needs ${typeWords[schema.type]}`;
    if (value === '') return `${param.name} is required`;
  }
  switch (schema.type) {
    case 'string':
    case 'any':
      return undefined;
    case 'number':
      return Number.isFinite(Number(value)) ? undefined : `${param.name} must be a number, not ${quoted(value)}`;
    case 'integer':
      return /^\s*-?\d+\s*$/.test(value) ? undefined : `${param.name} must be a whole number, not ${quoted(value)}`;
    case 'boolean':
      return /^(true|false)$/i.test(value.trim()) ? undefined : `${param.name} must be true or false, not ${quoted(value)}`;
    case 'object':
    case 'array': {
      const parsed = parseJson(value);
      if (!parsed.ok) return `${param.name} must be ${typeWords[schema.type]}; ${quoted(value)} is not JSON`;
      if (!jsonFits(parsed.value, schema)) {
        const elements = schema.type === 'array' && schema.items ? ` of ${typeWords[schema.items.type].replace(/, e\.g\..*$/, '')} elements` : '';
        return `${param.name} must be ${schema.type === 'array' ? 'a JSON array' : 'a JSON object'}${elements}`;
      }
      return undefined;
    }
  }
}

/**
 * Every problem of `args` against `params`, in parameter order; a count that differs is one problem.
 * A transaction that lists no parameters takes any arguments: fabric-shim hands them, as strings,
 * to a plain-JavaScript function that reads them itself (its metadata lists none).
 */
export function argumentProblems(params: readonly CheckedParam[], args: readonly string[]): ArgumentProblem[] {
  if (params.length === 0) return [];
  const problems: ArgumentProblem[] = [];
  params.forEach((param, index) => {
    const value = args[index];
    const message = value === undefined ? `${param.name} is missing` : argumentProblem(param, value);
    if (message !== undefined) problems.push({ index, name: param.name, message });
  });
  if (args.length > params.length) {
    problems.push({ index: params.length, name: `argument ${params.length + 1}`, message: `${args.length} arguments given; the transaction takes ${params.length}` });
  }
  return problems;
}
