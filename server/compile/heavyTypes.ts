/**
 * A small TypeScript file whose type check takes seconds and hundreds of
 * megabytes: each alias recursively grows a string literal type and a tuple
 * type `depth` times, and every alias is distinct, so nothing is shared
 * between them. The tests and the benchmark of the compile limits use it;
 * the server does not.
 */

/** How heavy: `aliases` distinct recursive aliases (cost grows linearly), each `depth` deep (cost grows faster). */
export interface HeavyTypesOptions {
  readonly aliases: number;
  readonly depth: number;
}

/** The source of a module (valid TypeScript, no errors) exporting one constant per alias. */
export function heavyTypeScript(options: HeavyTypesOptions): string {
  const lines: string[] = [];
  for (let i = 0; i < options.aliases; i++) {
    lines.push(
      `type Grow${i}<S extends string, N extends unknown[] = []> = N['length'] extends ${options.depth} ? S : Grow${i}<\`\${S}${i % 10}\`, [...N, ${i}]>;`,
      `export const grown${i}: Grow${i}<'s'> = '' as Grow${i}<'s'>;`,
    );
  }
  return lines.join('\n') + '\n';
}

/** Enough aliases of `depth` for a file of at least `bytes` bytes. */
export function heavyTypeScriptOfSize(bytes: number, depth: number): string {
  const perAlias = heavyTypeScript({ aliases: 1, depth }).length;
  return heavyTypeScript({ aliases: Math.ceil(bytes / perAlias), depth });
}
