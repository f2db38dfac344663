/**
 * contractapi (Go) names every transaction parameter `param0`, `param1`, …:
 * Go's reflection has no parameter names. We read them from the module's
 * `.go` files (method declarations only, parsed by a pattern, never
 * compiled): a method whose first parameter is the transaction context.
 */
import type { MethodParameterNames } from '../fabric/parameterNames.ts';

/** `func (recv *Type) Name(params) …`: the receiver's type, the method's name, its parameter list. */
const methodDeclaration = /^func\s*\(\s*(?:\w+\s+)?\*?\s*(\w+)(?:\[[^\]]*\])?\s*\)\s*(\w+)\s*\(([^)]*)\)/gm;

/** The methods of `sources` whose first parameter is a context, with the names of the others. */
export function goMethodParameterNames(sources: readonly { file: string; text: string }[]): MethodParameterNames {
  const names: MethodParameterNames = new Map();
  for (const { text } of sources) {
    for (const match of text.matchAll(methodDeclaration)) {
      const [, receiver = '', method = '', list = ''] = match;
      const params = parameterNames(list.replace(/\/\/.*$/gm, '').replace(/\s+/g, ' '));
      if (params.length === 0 || !/Context/.test(params[0]?.type ?? '')) continue;
      const entries = names.get(method) ?? [];
      entries.push({ contracts: [receiver], params: params.slice(1).map((p) => p.name) });
      names.set(method, entries);
    }
  }
  return names;
}

/** `a, b string, c int` → [{a, string}, {b, string}, {c, int}]: a name without a type takes the next one's type. */
function parameterNames(list: string): { name: string; type: string }[] {
  const parts = list
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const params: { name: string; type: string | undefined }[] = parts.map((part) => {
    const [name = '', ...type] = part.split(' ');
    return { name, type: type.length > 0 ? type.join(' ') : undefined };
  });
  let type = '';
  for (let i = params.length - 1; i >= 0; i--) {
    const param = params[i];
    if (!param) continue;
    if (param.type === undefined) param.type = type;
    else type = param.type;
  }
  return params.map((p) => ({ name: p.name, type: p.type ?? '' }));
}
