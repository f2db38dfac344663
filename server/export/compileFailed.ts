/**
 * The one way a request that compiles reports a chaincode that does not:
 * a `compile_failed` error whose data is the protocol's CompileFailedData.
 */
import type { CompileFailedData } from '../../protocol/errorData.ts';
import { ErrorCode, StudioError } from '../errors.ts';

/** The error to throw; `retry` is what the user does once the problems are fixed ("export", "deploy"). */
export function compileFailed(diagnostics: CompileFailedData['diagnostics'], retry: string): StudioError {
  const data: CompileFailedData = { diagnostics };
  return new StudioError(ErrorCode.CompileFailed, `The chaincode does not compile; fix the problems listed and ${retry} again.`, { data });
}
