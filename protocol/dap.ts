/**
 * The debugger's request and reply shapes: the subset of the Debug Adapter
 * Protocol the IDE uses, with the runtime schema where the server validates input.
 */
import { z } from 'zod';

export const SourceBreakpoint = z.object({
  line: z.number().int().min(1),
  column: z.number().int().min(1).optional(),
  condition: z.string().max(2000).optional(),
  logMessage: z.string().max(2000).optional(),
  /** False: kept and listed, but not placed in the program (not part of DAP, which has no disabled breakpoints). */
  enabled: z.boolean().optional(),
});
export type SourceBreakpoint = z.infer<typeof SourceBreakpoint>;
export interface Breakpoint {
  id: number;
  verified: boolean;
  line: number;
  message?: string;
}
export interface DapSource {
  name: string;
  /** Workspace-relative path of the original (TypeScript) source, if it is the user's. */
  path?: string;
  /** 'deemphasize' for library and runtime frames. */
  presentationHint?: 'normal' | 'emphasize' | 'deemphasize';
}
export const DapSourceSchema = z.object({
  name: z.string(),
  path: z.string().optional(),
  presentationHint: z.enum(['normal', 'emphasize', 'deemphasize']).optional(),
});
export const StackFrameSchema = z.object({
  id: z.number(),
  name: z.string(),
  source: DapSourceSchema.optional(),
  line: z.number(),
  column: z.number(),
  presentationHint: z.enum(['normal', 'label', 'subtle']).optional(),
});
export type StackFrame = z.infer<typeof StackFrameSchema>;
export interface Scope {
  name: string;
  variablesReference: number;
  expensive: boolean;
}
export interface Variable {
  name: string;
  value: string;
  type?: string;
  variablesReference: number;
}

/** The exceptions the debugger pauses on: those nothing catches, or all. */
export const ExceptionFilter = z.enum(['uncaught', 'all']);
export type ExceptionFilter = z.infer<typeof ExceptionFilter>;

/** The breakpoints of one source, as the server keeps them for the workspace. */
export interface SourceBreakpoints {
  path: string;
  breakpoints: SourceBreakpoint[];
}

/** DAP's `stopped` event body, with the workspace and what the IDE shows at once. */
export interface StoppedEventBody {
  workspace: string;
  reason: 'breakpoint' | 'step' | 'exception' | 'pause' | 'entry';
  description?: string;
  threadId: number;
  /** The transaction that is paused, when the stop is inside one. */
  txId?: string;
  hitBreakpointIds?: number[];
  /** The top frame, so the editor can jump without another round trip. */
  frame?: StackFrame;
  text?: string;
  /** In a network of several orgs: whose peer's chaincode process is paused, e.g. `peer0.org2.example.com (Org2MSP)`. */
  peer?: string;
}

/**
 * The debugger of a workspace as `workspace/open` reports it, so a reloaded or
 * second tab shows what the first one sees: the breakpoints (the server is
 * their one source of truth), the exception filters, and the pause, if any.
 */
export interface DebuggerState {
  attached: boolean;
  paused?: StoppedEventBody;
  breakpoints: SourceBreakpoints[];
  exceptionFilters: ExceptionFilter[];
}

/**
 * An exception the chaincode threw during a transaction, as DAP's
 * ExceptionDetails names it, with the stack mapped to the user's sources.
 */
export const ExceptionDetails = z.object({
  message: z.string(),
  typeName: z.string().optional(),
  stackFrames: z.array(StackFrameSchema).max(100),
});
export type ExceptionDetails = z.infer<typeof ExceptionDetails>;
