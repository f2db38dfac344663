/**
 * Turns the JSON a fabric-contract-api chaincode returns for
 * `org.hyperledger.fabric:GetMetadata` into the contracts, transactions and
 * parameters the IDE builds its forms from.
 */
import { argSchemaOf } from '../../protocol/contractArgs.ts';
import type { ContractInfo, ContractMetadata, ContractParam, ContractTransaction } from '../../protocol/messages.ts';

interface RawSchema {
  type?: string;
  $ref?: string;
  format?: string;
  items?: RawSchema;
}
interface RawTransaction {
  name?: string;
  tags?: string[];
  /** Older fabric-contract-api versions wrote `tag`. */
  tag?: string[];
  parameters?: { name?: string; schema?: RawSchema; required?: boolean }[];
  returns?: { schema?: RawSchema } | RawSchema;
}
interface RawContract {
  name?: string;
  contractInstance?: { name?: string; default?: boolean };
  transactions?: RawTransaction[];
}

function typeName(schema: RawSchema | undefined): string {
  if (!schema) return 'string';
  if (schema.$ref) return schema.$ref.split('/').pop() ?? 'object';
  if (schema.type === 'array') return `${typeName(schema.items)}[]`;
  return schema.type ?? 'string';
}

function kindOf(tags: string[] | undefined): 'submit' | 'evaluate' {
  return (tags ?? []).some((t) => t.toLowerCase() === 'evaluate') ? 'evaluate' : 'submit';
}

/** Maps raw metadata; unknown shapes give an empty list rather than an exception. */
export function parseContractMetadata(raw: unknown): ContractMetadata {
  const contractsRaw = (raw as { contracts?: Record<string, RawContract> } | null)?.contracts ?? {};
  const contracts: ContractInfo[] = [];
  for (const [key, contract] of Object.entries(contractsRaw)) {
    const name = contract.name ?? key;
    if (name === 'org.hyperledger.fabric') continue;
    const transactions: ContractTransaction[] = (contract.transactions ?? [])
      .filter((tx): tx is RawTransaction & { name: string } => typeof tx.name === 'string')
      .map((tx) => {
        const params: ContractParam[] = (tx.parameters ?? []).map((p, i) => ({
          name: p.name ?? `arg${i}`,
          type: typeName(p.schema),
          schema: argSchemaOf(p.schema),
          required: p.required !== false,
        }));
        const returnsSchema = tx.returns && 'schema' in tx.returns ? tx.returns.schema : (tx.returns as RawSchema | undefined);
        const result: ContractTransaction = { name: tx.name, kind: kindOf(tx.tags ?? tx.tag), params };
        if (returnsSchema && (returnsSchema.type || returnsSchema.$ref)) result.returns = typeName(returnsSchema);
        return result;
      });
    contracts.push({ name, isDefault: contract.contractInstance?.default === true, transactions });
  }
  contracts.sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.name.localeCompare(b.name));
  return { contracts, raw };
}
