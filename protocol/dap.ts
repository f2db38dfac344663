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
export interface StackFrame {
  id: number;
  name: string;
  source?: DapSource;
  line: number;
  column: number;
  presentationHint?: 'normal' | 'label' | 'subtle';
}
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
