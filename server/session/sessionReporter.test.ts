import { describe, expect, it } from 'vitest';
import type { Notification } from '../../protocol/messages.ts';
import { logHistoryLines } from '../config.ts';
import { createSessionReporter } from './sessionReporter.ts';

describe('SessionReporter', () => {
  it("keeps each source's last lines, so a flood of peer lines leaves the user's own lines in the history", () => {
    const published: Notification[] = [];
    const reporter = createSessionReporter({ workspace: 'w', publish: (n) => published.push(n) });
    reporter.addLines([{ source: 'chaincode', time: '2026-01-01T00:00:00.000Z', text: 'my console.log' }]);
    reporter.addLines(Array.from({ length: logHistoryLines + 5 }, (_, i) => ({ source: 'peer' as const, time: '2026-01-01T00:00:01.000Z', text: `peer ${i}` })));
    reporter.log('sandbox', 'last');
    const history = reporter.logHistory;
    expect(history).toHaveLength(logHistoryLines + 2);
    expect(history.map((l) => l.text).slice(0, 2)).toEqual(['my console.log', 'peer 5']);
    expect(history.at(-1)?.text).toBe('last');
    expect(published.filter((n) => n.method === 'log')).toHaveLength(3);
  });
});
