import { expectationOf, type InvokeTestStep } from '../../../protocol/invokeTests.ts';
import type { InvokeRecord } from '../state/studioState.ts';

/** The finished invokes of the history (newest first), oldest first, as test steps expecting what they answered. */
export function stepsFromHistory(invokes: InvokeRecord[], namespace: string | undefined): InvokeTestStep[] {
  return [...invokes].reverse().flatMap((r) => {
    if ('pending' in r.outcome) return [];
    const { mode, contract, fn, args, transient, endorsingOrgs, asOrg } = r.request;
    const outcome = r.outcome.ok ? { result: r.outcome.result } : { error: r.outcome.message };
    return [{ mode, contract, fn, args, ...(Object.keys(transient).length > 0 ? { transient } : {}), ...(endorsingOrgs && endorsingOrgs.length > 0 ? { endorsingOrgs } : {}), ...(asOrg !== undefined ? { asOrg } : {}), expect: expectationOf(outcome, namespace) }];
  });
}
