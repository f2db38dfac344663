/**
 * Carries a user's step through code the user does not step in.
 *
 * Node's own scripts ignore Debugger.setBlackboxPatterns, so a step into
 * `Buffer.from(…)` lands in node:internal code. The carrier steps out of such
 * code on the user's behalf, and repeats the user's step if that only brought
 * it back to where it started.
 */
import type { Protocol } from 'devtools-protocol';
import type { CdpConnection } from './cdpConnection.ts';

/** The CDP methods behind DAP's next, stepIn and stepOut. */
export type StepMethod = 'Debugger.stepOver' | 'Debugger.stepInto' | 'Debugger.stepOut';

/** Where a step started. */
interface StepOrigin {
  readonly method: StepMethod;
  readonly scriptId: string;
  readonly lineNumber: number;
  readonly depth: number;
  /** Extra steps taken so far on the user's behalf; bounded. */
  autoSteps: number;
}

/** Extra steps one user step may take to get through skipped code before it stops wherever it is. */
const maxAutoSteps = 20;

export class StepCarrier {
  #cdp: CdpConnection;
  #isUserFrame: (frame: Protocol.Debugger.CallFrame) => boolean;
  #origin: StepOrigin | undefined;

  /** `isUserFrame` tells the user's own code from code to step through. */
  constructor(cdp: CdpConnection, isUserFrame: (frame: Protocol.Debugger.CallFrame) => boolean) {
    this.#cdp = cdp;
    this.#isUserFrame = isUserFrame;
  }

  /** Takes the user's step from the pause whose stack is `callFrames`. */
  async step(method: StepMethod, callFrames: readonly Protocol.Debugger.CallFrame[]): Promise<void> {
    const top = callFrames[0];
    this.#origin = top && { method, scriptId: top.location.scriptId, lineNumber: top.location.lineNumber, depth: callFrames.length, autoSteps: 0 };
    await this.#cdp.send(method, {});
  }

  /** The step has ended in a stop the user sees. */
  finish(): void {
    this.#origin = undefined;
  }

  /** Called on a pause that ends a step; returns true when it took another step instead of stopping. */
  carryOn(event: Protocol.Debugger.PausedEvent): boolean {
    const origin = this.#origin;
    const top = event.callFrames[0];
    if (!origin || !top || origin.autoSteps >= maxAutoSteps) return false;
    let method: StepMethod | 'Debugger.resume' | undefined;
    if (!this.#isUserFrame(top)) {
      method = event.callFrames.some((frame) => this.#isUserFrame(frame)) ? 'Debugger.stepOut' : 'Debugger.resume';
    } else if (
      origin.autoSteps > 0 &&
      top.location.scriptId === origin.scriptId &&
      top.location.lineNumber === origin.lineNumber &&
      event.callFrames.length === origin.depth
    ) {
      method = origin.method;
    }
    if (method === undefined) return false;
    origin.autoSteps++;
    this.#cdp.send(method, {}).catch(() => undefined);
    return true;
  }
}
