/**
 * fabric-contract-api cannot see parameter names in plain JavaScript, nor in
 * TypeScript without its decorators, so such a contract's metadata names them
 * arg0, arg1, … We read the names from the workspace's own sources, JavaScript
 * or TypeScript (parsed only, never type-checked: class methods whose first
 * parameter is the context), so the transaction form can label its inputs the
 * way the code does.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import type { ContractMetadata } from '../../protocol/messages.ts';
import { parameterNameMaxFileBytes, parameterNameMaxFiles } from '../config.ts';
import { goMethodParameterNames } from '../golang/goParameterNames.ts';

/** One class method in the sources: the names its class goes by, and its parameters after the context. */
export interface SourceMethod {
  /** The class name, and the name its constructor passes to `super(...)` (a contract's own name). */
  readonly contracts: readonly string[];
  readonly params: readonly string[];
}

/** Method name → every class method of that name in the sources. */
export type MethodParameterNames = Map<string, SourceMethod[]>;

const sourceFile = /\.(?:[cm]?js|[cm]?ts)$/;
const declarationFile = /\.d\.[cm]?ts$/;

/** The class methods of `sources` (JavaScript or TypeScript, told apart by the file name). */
export function methodParameterNames(sources: readonly { file: string; text: string }[]): MethodParameterNames {
  const names: MethodParameterNames = new Map();
  for (const { file, text } of sources) {
    const kind = /\.[cm]?ts$/.test(file) ? ts.ScriptKind.TS : ts.ScriptKind.JS;
    const visit = (node: ts.Node): void => {
      if (ts.isMethodDeclaration(node) && ts.isIdentifier(node.name) && ts.isClassLike(node.parent)) {
        const params = node.parameters.filter((p) => !(ts.isIdentifier(p.name) && p.name.text === 'this')).map((p) => (ts.isIdentifier(p.name) ? p.name.text : ''));
        const list = names.get(node.name.text) ?? [];
        list.push({ contracts: classNames(node.parent), params: params.slice(1) });
        names.set(node.name.text, list);
      }
      ts.forEachChild(node, visit);
    };
    visit(ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind));
  }
  return names;
}

/** A class's own name and the string literal its constructor passes to `super`, if any. */
function classNames(node: ts.ClassLikeDeclaration): string[] {
  const names = node.name ? [node.name.text] : [];
  const visit = (child: ts.Node): void => {
    if (ts.isCallExpression(child) && child.expression.kind === ts.SyntaxKind.SuperKeyword) {
      const [first] = child.arguments;
      if (first && ts.isStringLiteralLike(first)) names.push(first.text);
    }
    ts.forEachChild(child, visit);
  };
  for (const member of node.members) if (ts.isConstructorDeclaration(member)) visit(member);
  return names;
}

/** Replaces generated `argN` names with the names in the source, where the arity matches; a method of the contract's own class first. */
export function applyParameterNames(metadata: ContractMetadata, names: MethodParameterNames): ContractMetadata {
  const contracts = metadata.contracts.map((contract) => ({
    ...contract,
    transactions: contract.transactions.map((tx) => {
      // argN: fabric-contract-api without decorators; paramN: contractapi (Go).
      if (!tx.params.every((p, i) => p.name === `arg${i}` || p.name === `param${i}`)) return tx;
      const fits = (names.get(tx.name) ?? []).filter((m) => m.params.length === tx.params.length && m.params.every(Boolean));
      const candidate = fits.find((m) => m.contracts.includes(contract.name)) ?? fits[0];
      return candidate ? { ...tx, params: tx.params.map((p, i) => ({ ...p, name: candidate.params[i] ?? p.name })) } : tx;
    }),
  }));
  return { ...metadata, contracts };
}

/** Reads the workspace's JavaScript and TypeScript sources (not node_modules, bounded in count and size) and names the metadata's parameters. */
export async function nameParametersFromSource(metadata: ContractMetadata, workspaceDir: string): Promise<ContractMetadata> {
  if (!metadata.contracts.some((c) => c.transactions.some((t) => t.params.some((p) => /^(?:arg|param)\d+$/.test(p.name))))) return metadata;
  const sources: { file: string; text: string }[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > 6) return;
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      if (sources.length >= parameterNameMaxFiles) return;
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full, depth + 1);
      else if (entry.isFile() && (sourceFile.test(entry.name) || entry.name.endsWith('.go')) && !declarationFile.test(entry.name)) {
        if ((await fs.stat(full)).size <= parameterNameMaxFileBytes) sources.push({ file: full, text: await fs.readFile(full, 'utf8') });
      }
    }
  };
  await walk(workspaceDir, 0);
  const goSources = sources.filter((s) => s.file.endsWith('.go'));
  const names = goSources.length > 0 ? goMethodParameterNames(goSources) : methodParameterNames(sources);
  return applyParameterNames(metadata, names);
}
