/**
 * The declaration files Monaco's TypeScript worker sees besides the
 * workspace's own: the studio's bundled Fabric typings and stubs, and the
 * declarations of the workspace's installed packages (`dependencies/types`).
 * An installed package replaces the bundled lib or stub of the same name,
 * since both declare the same module.
 */
import type { DependencyTypes } from '../../../protocol/messages.ts';
import { moduleStubs, nodeGlobalStubs } from './typeStubs.ts';

/** A lib as Monaco's `setExtraLibs` takes it. */
export interface EditorLib {
  readonly filePath: string;
  readonly content: string;
}

/** A lib the studio brings, for the package it declares. */
export interface BundledLib extends EditorLib {
  readonly package: string;
}

/** The packages the installed declarations cover: `node_modules/<name>/` and `node_modules/@scope/<name>/` at the top level. */
function servedPackages(types: DependencyTypes | undefined): Set<string> {
  const names = new Set<string>();
  for (const file of types?.files ?? []) {
    const match = /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file.path);
    if (match?.[1] !== undefined) names.add(match[1]);
  }
  return names;
}

/** The stubs as bundled libs, each under the package it stands in for. */
export function stubLibs(): BundledLib[] {
  return [
    ...Object.entries(moduleStubs).map(([name, content]) => ({ package: name, content, filePath: `file:///node_modules/@types/studio-stubs/${name.replace('/', '__')}.d.ts` })),
    { package: '@types/node', content: nodeGlobalStubs, filePath: 'file:///node_modules/@types/studio-stubs/node-globals.d.ts' },
  ];
}

/** Every lib the editor should see: the bundled ones the workspace's install does not replace, then the installed ones. */
export function editorLibs(bundled: readonly BundledLib[], types: DependencyTypes | undefined): EditorLib[] {
  const served = servedPackages(types);
  return [
    ...bundled.filter((lib) => !served.has(lib.package)).map(({ filePath, content }) => ({ filePath, content })),
    ...(types?.files ?? []).map((file) => ({ filePath: `file:///${file.path}`, content: file.text })),
  ];
}
