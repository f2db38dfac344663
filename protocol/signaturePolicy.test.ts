import { describe, expect, it } from 'vitest';
import { formatSignaturePolicy, isOrConcatenation, parseSignaturePolicy, policyPrincipals, signaturePolicyProblem } from './signaturePolicy.ts';

const orgs = ['Org1MSP', 'Org2MSP', 'Org3MSP'];

function parsed(text: string) {
  const result = parseSignaturePolicy(text);
  if (!result.ok) throw new Error(result.message);
  return result.policy;
}

function problem(text: string): string {
  const result = parseSignaturePolicy(text);
  if (result.ok) throw new Error(`"${text}" parsed`);
  return result.message;
}

describe('signature policy', () => {
  it('reads AND, OR and OutOf over quoted principals, in any case, with either quote', () => {
    expect(parsed("AND('Org1MSP.peer','Org2MSP.peer')")).toEqual({
      kind: 'outOf',
      n: 2,
      rules: [
        { kind: 'principal', mspId: 'Org1MSP', role: 'peer' },
        { kind: 'principal', mspId: 'Org2MSP', role: 'peer' },
      ],
    });
    expect(parsed('or("Org1MSP.member", "Org2MSP.admin")')).toMatchObject({ kind: 'outOf', n: 1 });
    expect(parsed(" OutOf( 2, 'Org1MSP.peer', 'Org2MSP.peer', 'Org3MSP.client' ) ")).toMatchObject({ n: 2, rules: [{}, {}, {}] });
    expect(parsed("'Org1MSP.member'")).toEqual({ kind: 'principal', mspId: 'Org1MSP', role: 'member' });
  });

  it('nests, and writes the policy back in Fabric words', () => {
    const rule = parsed("OR(AND('Org1MSP.peer','Org2MSP.peer'), OutOf(1,'Org3MSP.admin'))");
    expect(formatSignaturePolicy(rule)).toBe("OR(AND('Org1MSP.peer','Org2MSP.peer'),OR('Org3MSP.admin'))");
    expect(policyPrincipals(rule).map((p) => p.mspId)).toEqual(['Org1MSP', 'Org2MSP', 'Org3MSP']);
    expect(formatSignaturePolicy(parsed("OutOf(2,'A.peer','B.peer','C.peer')"))).toBe("OutOf(2,'A.peer','B.peer','C.peer')");
  });

  it('says where a policy goes wrong', () => {
    expect(problem('')).toMatch(/empty/);
    expect(problem("AND('Org1MSP.peer'")).toMatch(/expected "," or "\)" but found the end of the policy/);
    expect(problem("AND('Org1MSP.peer' 'Org2MSP.peer')")).toMatch(/expected "," or "\)" but found 'Org2MSP.peer' at character 20/);
    expect(problem("NAND('Org1MSP.peer')")).toMatch(/"NAND" at character 1 is not an operator/);
    expect(problem('AND(Org1MSP.peer)')).toMatch(/Org1MSP.peer at character 5 needs quotes: a principal is written 'Org1MSP.peer'/);
    expect(problem('AND(x)')).toMatch(/"x" at character 5 is not an operator/);
    expect(problem("AND('Org1MSP.boss')")).toMatch(/role "boss": a role is one of member, peer, admin, client/);
    expect(problem("AND('Org1MSP.orderer')")).toMatch(/role "orderer"/);
    expect(problem("AND('Org1MSP.Peer')")).toMatch(/role "Peer".*lower case/);
    expect(problem("aNd('Org1MSP.peer')")).toMatch(/"aNd" at character 1 is not an operator.*AND, And, and/);
    expect(problem("AND('Org1MSP')")).toMatch(/'Org1MSP' at character 5 is not a principal/);
    expect(problem("AND('Org1MSP.peer)")).toMatch(/quote at character 5 is never closed/);
    expect(problem("OutOf('Org1MSP.peer')")).toMatch(/OutOf takes a count first/);
    expect(problem("OutOf(3, 'Org1MSP.peer', 'Org2MSP.peer')")).toMatch(/lists 2 rules: the count must be between 1 and 2/);
    expect(problem("OutOf(0, 'Org1MSP.peer')")).toMatch(/between 1 and 1/);
    expect(problem("AND('Org1MSP.peer')) ")).toMatch(/unexpected "\)" at character 20 after the policy's end/);
    expect(problem("AND('Org1MSP.peer'); rm")).toMatch(/unexpected ";"/);
  });

  it('refuses nesting deep enough to hurt, and text too long to be a policy', () => {
    expect(problem(`${'OR('.repeat(40)}'Org1MSP.peer'${')'.repeat(40)}`)).toMatch(/nests deeper/);
    expect(problem(`OR(${Array.from({ length: 400 }, () => "'Org1MSP.peer'").join(',')})`)).toMatch(/longer than/);
  });

  it('names MSP IDs that are not orgs of the network', () => {
    expect(signaturePolicyProblem("AND('Org1MSP.peer','Org2MSP.peer')", orgs)).toBeNull();
    expect(signaturePolicyProblem("AND('Org1MSP.peer','Org2MSP.peer')", ['Org1MSP'])).toBe('"Org2MSP" is not an org of this network (its orgs: Org1MSP)');
    expect(signaturePolicyProblem("OR('OrgAMSP.peer','OrgBMSP.peer','OrgAMSP.admin')", ['Org1MSP'])).toMatch(/"OrgAMSP", "OrgBMSP" are not orgs/);
    expect(signaturePolicyProblem('AND(', orgs)).toMatch(/expected/);
  });

  it('tells an OR concatenation (what a collection member policy must be) from others', () => {
    expect(isOrConcatenation(parsed("OR('Org1MSP.member',OR('Org2MSP.member'))"))).toBe(true);
    expect(isOrConcatenation(parsed("OutOf(1,'Org1MSP.member','Org2MSP.member')"))).toBe(true);
    expect(isOrConcatenation(parsed("AND('Org1MSP.member','Org2MSP.member')"))).toBe(false);
    expect(isOrConcatenation(parsed("OR('Org1MSP.member',AND('Org2MSP.member','Org3MSP.member'))"))).toBe(false);
  });
});
