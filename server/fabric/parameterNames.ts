/**
 * fabric-contract-api cannot see parameter names in plain JavaScript, so a JS
 * contract's metadata names them arg0, arg1, … We read the names from the
 * workspace's own source (class methods whose first parameter is the context)
 * so the transaction form can label its inputs the way the code does.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import type { ContractMetadata } from '../../protocol/messages.ts';

/** Method name → parameter names after the context, for every class method in `sources`. */
export function methodParameterNames(sources: { file: string; text: string }[]): Map<string, string[][]> {
  const names = new Map<string, string[][]>();
  for (const { file, text } of sources) {
    const sourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
    const visit = (node: ts.Node): void => {
      if (ts.isMethodDeclaration(node) && ts.isIdentifier(node.name) && ts.isClassLike(node.parent)) {
        const params = node.parameters.map((p) => (ts.isIdentifier(p.name) ? p.name.text : ''));
        const list = names.get(node.name.text) ?? [];
        list.push(params.slice(1));
        names.set(node.name.text, list);
      }
      ts.forEachChild(node, visit);
    };
    visit(sourceFile);
  }
  return names;
}

/** Replaces generated `argN` names with the names in the source, where the arity matches. */
export function applyParameterNames(metadata: ContractMetadata, names: Map<string, string[][]>): ContractMetadata {
  const contracts = metadata.contracts.map((contract) => ({
    ...contract,
    transactions: contract.transactions.map((tx) => {
      if (!tx.params.every((p, i) => p.name === `arg${i}`)) return tx;
      const candidate = (names.get(tx.name) ?? []).find((list) => list.length === tx.params.length && list.every(Boolean));
      return candidate ? { ...tx, params: tx.params.map((p, i) => ({ ...p, name: candidate[i] ?? p.name })) } : tx;
    }),
  }));
  return { ...metadata, contracts };
}

/** Reads the .js sources of a workspace (not node_modules) and names the metadata's parameters. */
export async function nameParametersFromSource(metadata: ContractMetadata, workspaceDir: string): Promise<ContractMetadata> {
  if (!metadata.contracts.some((c) => c.transactions.some((t) => t.params.some((p) => /^arg\d+$/.test(p.name))))) return metadata;
  const sources: { file: string; text: string }[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > 6) return;
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full, depth + 1);
      else if (entry.isFile() && /\.(c|m)?js$/.test(entry.name)) sources.push({ file: full, text: await fs.readFile(full, 'utf8') });
    }
  };
  await walk(workspaceDir, 0);
  return applyParameterNames(metadata, methodParameterNames(sources));
}
