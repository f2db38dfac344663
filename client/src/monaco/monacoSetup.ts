/**
 * Monaco, trimmed to what Chaincode Studio uses: the editor core, the
 * TypeScript/JavaScript language service and the editing features below.
 * Loaded with a dynamic import (see loadMonaco.ts) so the shell paints first.
 */
import * as monaco from 'monaco-editor/editor/editor.api';
import 'monaco-editor/features/bracketMatching/register';
import 'monaco-editor/features/caretOperations/register';
import 'monaco-editor/features/clipboard/register';
import 'monaco-editor/features/codeAction/register';
import 'monaco-editor/features/comment/register';
import 'monaco-editor/features/contextmenu/register';
import 'monaco-editor/features/cursorUndo/register';
import 'monaco-editor/features/documentSymbols/register';
import 'monaco-editor/features/find/register';
import 'monaco-editor/features/folding/register';
import 'monaco-editor/features/format/register';
import 'monaco-editor/features/gotoError/register';
import 'monaco-editor/features/gotoLine/register';
import 'monaco-editor/features/gotoSymbol/register';
import 'monaco-editor/features/hover/register';
import 'monaco-editor/features/indentation/register';
import 'monaco-editor/features/inlineProgress/register';
import 'monaco-editor/features/lineSelection/register';
import 'monaco-editor/features/linesOperations/register';
import 'monaco-editor/features/multicursor/register';
import 'monaco-editor/features/parameterHints/register';
import 'monaco-editor/features/quickCommand/register';
import 'monaco-editor/features/referenceSearch/register';
import 'monaco-editor/features/rename/register';
import 'monaco-editor/features/smartSelect/register';
import 'monaco-editor/features/snippet/register';
import 'monaco-editor/features/wordHighlighter/register';
import 'monaco-editor/features/wordOperations/register';
// The feature registers above leave out these: completion, core cursor commands, F12 and marker navigation.
import 'monaco-editor/editor/contrib/suggest/browser/suggestController';
import 'monaco-editor/editor/browser/coreCommands';
import 'monaco-editor/editor/contrib/gotoSymbol/browser/goToCommands';
import 'monaco-editor/editor/contrib/gotoError/browser/markerSelectionStatus';
import 'monaco-editor/languages/definitions/typescript/register';
import 'monaco-editor/languages/definitions/javascript/register';
import 'monaco-editor/languages/definitions/go/register';
import { javascriptDefaults, ModuleKind, ModuleResolutionKind, typescriptDefaults } from 'monaco-editor/languages/features/typescript/register';
import type { ScriptTarget } from 'monaco-editor/languages/features/typescript/register';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import TypeScriptWorker from 'monaco-editor/languages/features/typescript/ts.worker?worker';
import contractApiTypes from 'fabric-contract-api/types/index.d.ts?raw';
import shimTypes from 'fabric-shim/types/index.d.ts?raw';
import shimApiTypes from 'fabric-shim-api/types/index.d.ts?raw';
import type { DependencyTypes } from '../../../protocol/messages.ts';
import { editorLibs, stubLibs, type BundledLib } from './editorLibs.ts';

globalThis.MonacoEnvironment = {
  getWorker: (_workerId, label) =>
    label === 'typescript' || label === 'javascript' ? new TypeScriptWorker() : new EditorWorker(),
};

// Monaco's enum stops at ES2020; 9 is TypeScript's own value for ES2022.
const es2022 = 9 as ScriptTarget;

for (const defaults of [typescriptDefaults, javascriptDefaults]) {
  defaults.setCompilerOptions({
    target: es2022,
    module: ModuleKind.CommonJS,
    moduleResolution: ModuleResolutionKind.NodeJs,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    strict: true,
    esModuleInterop: true,
    allowJs: true,
    checkJs: false,
    allowNonTsExtensions: true,
  });
  defaults.setEagerModelSync(true);
}

/** The Fabric typings of the studio's own packages (the sandbox runs the same versions), and the stubs. */
const bundledLibs: BundledLib[] = [
  { package: 'fabric-contract-api', content: contractApiTypes, filePath: 'file:///node_modules/fabric-contract-api/index.d.ts' },
  { package: 'fabric-shim', content: shimTypes, filePath: 'file:///node_modules/fabric-shim/index.d.ts' },
  { package: 'fabric-shim-api', content: shimApiTypes, filePath: 'file:///node_modules/fabric-shim-api/index.d.ts' },
  ...stubLibs(),
];

/** Gives the TypeScript worker the declarations of the open workspace's installed packages (undefined: none). */
export function setDependencyTypes(types: DependencyTypes | undefined): void {
  const libs = editorLibs(bundledLibs, types);
  for (const defaults of [typescriptDefaults, javascriptDefaults]) defaults.setExtraLibs(libs.map((lib) => ({ ...lib })));
}

setDependencyTypes(undefined);

monaco.editor.defineTheme('studio-dark', {
  base: 'vs-dark',
  inherit: true,
  // vs-dark's comment green (#608b4e) has a contrast of 4.2:1 on the editor's background; this one 5.6:1.
  rules: [{ token: 'comment', foreground: '72a35c' }],
  colors: {
    'editor.background': '#1e1e1e',
    'editorGutter.background': '#1e1e1e',
    'editor.lineHighlightBorder': '#282828',
    // The last line's number is drawn dimmed; Monaco's default is unreadable (1.8:1).
    'editorLineNumber.dimmedForeground': '#8b8b8b',
  },
});
monaco.editor.defineTheme('studio-light', {
  base: 'vs',
  inherit: true,
  rules: [],
  colors: {
    'editor.background': '#ffffff',
    'editorGutter.background': '#ffffff',
    'editor.lineHighlightBorder': '#eeeeee',
    'editorLineNumber.foreground': '#6e6e6e',
    'editorLineNumber.dimmedForeground': '#6e6e6e',
  },
});

/**
 * The editor follows the system's colour scheme, as the page's styles do: the theme is set after
 * each editor is created (whatever theme its options named) and again whenever the scheme changes.
 */
const lightScheme = window.matchMedia('(prefers-color-scheme: light)');
const systemTheme = (): string => (lightScheme.matches ? 'studio-light' : 'studio-dark');
monaco.editor.onDidCreateEditor(() => queueMicrotask(() => monaco.editor.setTheme(systemTheme())));
lightScheme.addEventListener('change', () => monaco.editor.setTheme(systemTheme()));

export { monaco };
