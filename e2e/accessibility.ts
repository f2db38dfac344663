/**
 * The automated accessibility check of the browser tests: axe-core (through
 * @axe-core/playwright) on the page as it is, against WCAG 2.1 A and AA, and
 * the violations a user would be stopped by (impact serious or critical).
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';

/** The serious and critical violations on the page, each with the elements it found, as lines to print. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => {
      const nodes = v.nodes.slice(0, 6).map((n) => `    ${n.target.join(' ')}: ${n.failureSummary?.replace(/\s+/g, ' ') ?? ''}`);
      return `${v.id} (${v.impact}, ${v.nodes.length} elements): ${v.help}\n${nodes.join('\n')}`;
    });
}
