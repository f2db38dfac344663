/**
 * The `data` an error reply carries, declared per error code: the server
 * builds it with these types, the client reads it with these schemas (a reply
 * comes over the network, so it is checked, not cast). Codes not listed here
 * carry no data a client relies on.
 */
import { z } from 'zod';
import { ErrorCode } from './errors.ts';
import { DeployStepInfo, Diagnostic, ExceptionDetails, ImportSkipped } from './messages.ts';

/**
 * The one way a compile failure is reported, by every request that compiles
 * (`export/package`, `export/ccaas`, `deploy`): a `compile_failed` error
 * whose data holds the compiler's diagnostics.
 */
export const CompileFailedData = z.object({ diagnostics: z.array(Diagnostic) });
export type CompileFailedData = z.infer<typeof CompileFailedData>;

/** A deploy step failed: which one, and every step run so far (the failed one last). */
export const DeployFailedData = z.object({ step: DeployStepInfo.shape.step, steps: z.array(DeployStepInfo) });
export type DeployFailedData = z.infer<typeof DeployFailedData>;

/**
 * The chaincode refused a transaction: its ID, when the peer gave one, and the
 * exception it threw with its stack in the user's sources, when the debugger saw it.
 */
export const ChaincodeFailedData = z.object({ txId: z.string().optional(), exception: ExceptionDetails.optional() });
export type ChaincodeFailedData = z.infer<typeof ChaincodeFailedData>;

/** The params did not match the method's schema: each problem, at its path. */
export const InvalidParamsData = z.object({ issues: z.array(z.object({ path: z.string(), message: z.string() })) });
export type InvalidParamsData = z.infer<typeof InvalidParamsData>;

/**
 * A `limit` error of the sandbox caps (other limits carry no data): which cap, its size, and the caller's own running
 * sandboxes (stopping one of them frees a slot; other users' are not named).
 */
export const LimitData = z.object({ limit: z.enum(['user', 'server']), max: z.number().int(), running: z.array(z.string()) });
export type LimitData = z.infer<typeof LimitData>;
/** An import left nothing to write (`bad_file`): what it skipped, and why. */
export const NothingImportedData = z.object({ skipped: z.array(ImportSkipped) });
export type NothingImportedData = z.infer<typeof NothingImportedData>;

/** The data schema of each error code that carries data. */
export const errorDataSchemas = {
  [ErrorCode.CompileFailed]: CompileFailedData,
  [ErrorCode.Export]: DeployFailedData,
  [ErrorCode.Chaincode]: ChaincodeFailedData,
  [ErrorCode.InvalidParams]: InvalidParamsData,
  [ErrorCode.Limit]: LimitData,
  [ErrorCode.BadFile]: NothingImportedData,
} as const;

/** The error codes that carry typed data. */
export type CodeWithData = keyof typeof errorDataSchemas;
/** The data type of an error code. */
export type ErrorDataOf<C extends CodeWithData> = z.infer<(typeof errorDataSchemas)[C]>;

/**
 * The data of an error with code `code`, when the error has that code and its
 * data has that code's shape; otherwise undefined.
 */
export function errorDataOf<C extends CodeWithData>(code: C, error: { readonly code: string; readonly data?: unknown }): ErrorDataOf<C> | undefined {
  if (error.code !== code) return undefined;
  const parsed = errorDataSchemas[code].safeParse(error.data);
  return parsed.success ? (parsed.data as ErrorDataOf<C>) : undefined;
}
