/**
 * Evaluates an expression for the Watch pane, the debug console or a hover:
 * in a stack frame while paused, globally while running.
 */
import type { Protocol } from 'devtools-protocol';
import type { ResultMap } from '../../protocol/messages.ts';
import { ErrorCode, StudioError } from '../errors.ts';
import type { CdpConnection } from './cdpConnection.ts';
import { objectGroup, type VariableStore } from './variables.ts';

/** Where the expression was typed; DAP's evaluate context. */
export type EvaluateContext = 'watch' | 'repl' | 'hover';

/** Evaluates `expression` in the call frame `callFrameId`, or globally when it is undefined (the program runs). */
export async function evaluateExpression(
  cdp: CdpConnection,
  variables: VariableStore,
  expression: string,
  callFrameId: string | undefined,
  context: EvaluateContext | undefined,
): Promise<ResultMap['evaluate']> {
  const repl = context === 'repl';
  // Hovering must never change the program; watches and the console may.
  const common = { expression, objectGroup, includeCommandLineAPI: repl, silent: true, generatePreview: true, throwOnSideEffect: context === 'hover' };
  const answer: Protocol.Runtime.EvaluateResponse =
    callFrameId === undefined
      ? await cdp.send('Runtime.evaluate', { ...common, replMode: repl })
      : await cdp.send('Debugger.evaluateOnCallFrame', { ...common, callFrameId });
  if (answer.exceptionDetails) throw new StudioError(ErrorCode.Debugger, exceptionText(answer.exceptionDetails));
  const described = await variables.describe(answer.result);
  return { result: described.value, type: described.type, variablesReference: described.variablesReference };
}

function exceptionText(details: Protocol.Runtime.ExceptionDetails): string {
  const description = details.exception?.description ?? details.exception?.value;
  const first = typeof description === 'string' ? description.split('\n')[0] : undefined;
  return first || details.text;
}
