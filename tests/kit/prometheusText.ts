/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4),
 * for tests: every line must be empty, a `# HELP`, a `# TYPE`, another comment, or a
 * sample of a family whose TYPE came before it; names, label sets and values
 * must be well formed. Throws naming the first line that is not.
 */

export interface Sample {
  /** The sample's own name (`x_bucket`, `x_sum`, `x_count` for a histogram `x`). */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface MetricFamily {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string;
  readonly samples: Sample[];
}

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const types = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const suffixes: Record<MetricFamily['type'], readonly string[]> = {
  counter: [''],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  const lines = text.split('\n');
  if (lines.at(-1) !== '') throw new Error('the exposition does not end with a line feed');
  lines.pop();
  lines.forEach((line, index) => {
    const fail = (why: string): never => {
      throw new Error(`line ${index + 1} (${JSON.stringify(line)}): ${why}`);
    };
    // The format ignores empty lines.
    if (line === '') return;
    if (line.startsWith('#')) {
      const [, keyword, name, ...rest] = line.split(' ');
      if (keyword === 'HELP' || keyword === 'TYPE') {
        if (name === undefined || !metricName.test(name)) fail('bad metric name');
        const family = families.get(name as string);
        if (keyword === 'HELP') {
          if (family) family.help = rest.join(' ');
          else families.set(name as string, { name: name as string, type: 'untyped', help: rest.join(' '), samples: [] });
        } else {
          const type = rest.join(' ');
          if (!types.has(type)) fail(`unknown type ${type}`);
          if (family && family.samples.length > 0) fail('TYPE after samples');
          families.set(name as string, { name: name as string, type: type as MetricFamily['type'], help: family?.help ?? '', samples: [] });
        }
      }
      return;
    }
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?\d+)?$/.exec(line);
    if (!match) fail('not a sample');
    const [, name = '', , labelText, valueText = ''] = match as RegExpExecArray;
    const family = [...families.values()].find((f) => suffixes[f.type].some((suffix) => f.name + suffix === name));
    if (!family) fail(`sample of ${name} before its TYPE`);
    const value = parseValue(valueText) ?? fail(`bad value ${valueText}`);
    (family as MetricFamily).samples.push({ name, labels: labelText === undefined ? {} : parseLabels(labelText, fail), value });
  });
  return families;
}

/** As Prometheus reads values (Go's ParseFloat): NaN and Inf in any case, so prom-client's `Nan` passes. */
function parseValue(text: string): number | undefined {
  const word = text.toLowerCase();
  if (word === '+inf' || word === 'inf') return Infinity;
  if (word === '-inf') return -Infinity;
  if (word === 'nan') return NaN;
  const value = Number(text);
  return text !== '' && Number.isFinite(value) ? value : undefined;
}

function parseLabels(text: string, fail: (why: string) => never): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest !== '') {
    const match = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/.exec(rest);
    if (!match) fail(`bad labels at ${JSON.stringify(rest)}`);
    const [whole, name = '', raw = ''] = match as RegExpExecArray;
    if (!labelName.test(name) || name in labels) fail(`bad or repeated label ${name}`);
    labels[name] = raw.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    rest = rest.slice(whole.length);
  }
  return labels;
}

/**
 * The sum of the samples named `name` whose labels include `labels` (e.g. every outcome of an
 * invoke mode), or undefined when there is none.
 */
export function sampleSum(families: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  const matching = [...families.values()]
    .flatMap((family) => family.samples)
    .filter((sample) => sample.name === name && Object.entries(labels).every(([k, v]) => sample.labels[k] === v));
  return matching.length === 0 ? undefined : matching.reduce((sum, sample) => sum + sample.value, 0);
}
