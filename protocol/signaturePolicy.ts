/**
 * Fabric's signature policy language (`common/policydsl`), as the peer CLI's
 * `--signature-policy` and a collection's `policy` take it:
 * `AND(...)`, `OR(...)`, `OutOf(n, ...)` over principals `'MSPID.role'`.
 * Parsed here, once for the browser and the server, so a policy the peer
 * would refuse is named before any Fabric call, with where it goes wrong.
 */

/** The roles a chaincode or collection policy may name. */
export const principalRoles = ['member', 'peer', 'admin', 'client'] as const;
export type PrincipalRole = (typeof principalRoles)[number];

/** One principal: an MSP ID and a role, `'Org1MSP.peer'`. */
export interface PolicyPrincipal {
  readonly kind: 'principal';
  readonly mspId: string;
  readonly role: PrincipalRole;
}

/** `n` of the `rules` must be satisfied; AND is all of them, OR is one. */
export interface PolicyOutOf {
  readonly kind: 'outOf';
  readonly n: number;
  readonly rules: readonly PolicyRule[];
}

export type PolicyRule = PolicyPrincipal | PolicyOutOf;

/** A parsed policy, or why it is not one (with the character position where it goes wrong). */
export type PolicyParse = { readonly ok: true; readonly policy: PolicyRule } | { readonly ok: false; readonly message: string };

/** Longest policy text accepted; a real policy is a few hundred characters. */
export const signaturePolicyMaxChars = 4096;
/** Deepest nesting accepted, so a hostile policy cannot exhaust the stack. */
const maxDepth = 32;

// Fabric's principal rule: `^([[:alnum:].-]+)([.])(admin|member|client|peer|orderer)$`.
const principalPattern = /^([A-Za-z0-9.-]+)\.([A-Za-z]+)$/;

type Token =
  | { readonly type: 'name'; readonly text: string; readonly at: number }
  | { readonly type: 'string'; readonly text: string; readonly at: number }
  | { readonly type: 'number'; readonly text: string; readonly at: number }
  | { readonly type: '(' | ')' | ','; readonly at: number };

class PolicySyntaxError extends Error {}

// The spellings Fabric's policydsl registers for its gates: as written, all lower case, all upper case.
const gateSpellings = new Map<string, 'and' | 'or' | 'outof'>([
  ['And', 'and'], ['and', 'and'], ['AND', 'and'],
  ['Or', 'or'], ['or', 'or'], ['OR', 'or'],
  ['OutOf', 'outof'], ['outof', 'outof'], ['OUTOF', 'outof'],
]);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ type: c, at: i });
      i += 1;
    } else if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw new PolicySyntaxError(`the quote at character ${i + 1} is never closed`);
      tokens.push({ type: 'string', text: text.slice(i + 1, end), at: i });
      i = end + 1;
    } else if (/[0-9]/.test(c)) {
      const match = /^[0-9]+/.exec(text.slice(i)) as RegExpExecArray;
      tokens.push({ type: 'number', text: match[0], at: i });
      i += match[0].length;
    } else if (/[A-Za-z]/.test(c)) {
      const match = /^[A-Za-z][A-Za-z0-9_.-]*/.exec(text.slice(i)) as RegExpExecArray;
      tokens.push({ type: 'name', text: match[0], at: i });
      i += match[0].length;
    } else {
      throw new PolicySyntaxError(`unexpected "${c}" at character ${i + 1}`);
    }
  }
  return tokens;
}

function describe(token: Token | undefined): string {
  if (token === undefined) return 'the end of the policy';
  if (token.type === 'string') return `'${token.text}' at character ${token.at + 1}`;
  if (token.type === 'name' || token.type === 'number') return `"${token.text}" at character ${token.at + 1}`;
  return `"${token.type}" at character ${token.at + 1}`;
}

function principalOf(token: Extract<Token, { type: 'string' }>): PolicyPrincipal {
  const match = principalPattern.exec(token.text);
  if (!match) {
    throw new PolicySyntaxError(`'${token.text}' at character ${token.at + 1} is not a principal: write 'MSPID.role', e.g. 'Org1MSP.peer'`);
  }
  // Fabric matches roles as written, in lower case: 'Org1MSP.Peer' is refused by the peer.
  const role = match[2] as string;
  if (!(principalRoles as readonly string[]).includes(role)) {
    throw new PolicySyntaxError(`'${token.text}' names the role "${role}": a role is one of ${principalRoles.join(', ')} (lower case)`);
  }
  return { kind: 'principal', mspId: match[1] as string, role: role as PrincipalRole };
}

class Parser {
  #tokens: Token[];
  #at = 0;

  constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }

  parse(): PolicyRule {
    const rule = this.#rule(0);
    const rest = this.#tokens[this.#at];
    if (rest !== undefined) throw new PolicySyntaxError(`unexpected ${describe(rest)} after the policy's end`);
    return rule;
  }

  #next(): Token | undefined {
    const token = this.#tokens[this.#at];
    this.#at += 1;
    return token;
  }

  #expect(type: '(' | ')' | ',', what: string): void {
    const token = this.#next();
    if (token?.type !== type) throw new PolicySyntaxError(`expected ${what} but found ${describe(token)}`);
  }

  #rule(depth: number): PolicyRule {
    if (depth > maxDepth) throw new PolicySyntaxError(`the policy nests deeper than ${maxDepth} levels`);
    const token = this.#next();
    if (token?.type === 'string') return principalOf(token);
    if (token?.type !== 'name') {
      throw new PolicySyntaxError(`expected AND(…), OR(…), OutOf(n, …) or a quoted principal such as 'Org1MSP.peer' but found ${describe(token)}`);
    }
    if (token.text.includes('.')) {
      throw new PolicySyntaxError(`${token.text} at character ${token.at + 1} needs quotes: a principal is written '${token.text}'`);
    }
    const operator = gateSpellings.get(token.text);
    if (operator === undefined) {
      const hint = gateSpellings.has(token.text.toLowerCase()) ? ' (Fabric takes them as AND, And, and, OR, Or, or, OutOf, OUTOF, outof)' : " (principals are quoted, 'Org1MSP.peer')";
      throw new PolicySyntaxError(`"${token.text}" at character ${token.at + 1} is not an operator: use AND, OR or OutOf${hint}`);
    }
    this.#expect('(', `"(" after ${token.text}`);
    let n: number | undefined;
    if (operator === 'outof') {
      const count = this.#next();
      if (count?.type !== 'number') throw new PolicySyntaxError(`OutOf takes a count first, OutOf(2, …), but found ${describe(count)}`);
      n = Number(count.text);
      this.#expect(',', `"," after OutOf's count`);
    }
    const rules: PolicyRule[] = [this.#rule(depth + 1)];
    for (;;) {
      const separator = this.#next();
      if (separator?.type === ')') break;
      if (separator?.type !== ',') throw new PolicySyntaxError(`expected "," or ")" but found ${describe(separator)}`);
      rules.push(this.#rule(depth + 1));
    }
    if (operator === 'and') return { kind: 'outOf', n: rules.length, rules };
    if (operator === 'or') return { kind: 'outOf', n: 1, rules };
    const count = n as number;
    if (count < 1 || count > rules.length) {
      throw new PolicySyntaxError(`OutOf(${count}, …) at character ${token.at + 1} lists ${rules.length} rule${rules.length === 1 ? '' : 's'}: the count must be between 1 and ${rules.length}`);
    }
    return { kind: 'outOf', n: count, rules };
  }
}

/** Parses `text` as Fabric's signature policy syntax. */
export function parseSignaturePolicy(text: string): PolicyParse {
  if (text.trim().length === 0) return { ok: false, message: "the policy is empty: write one such as AND('Org1MSP.peer','Org2MSP.peer')" };
  if (text.length > signaturePolicyMaxChars) return { ok: false, message: `the policy is longer than ${signaturePolicyMaxChars} characters` };
  try {
    return { ok: true, policy: new Parser(tokenize(text)).parse() };
  } catch (err) {
    if (err instanceof PolicySyntaxError) return { ok: false, message: err.message };
    throw err;
  }
}

/** Every principal a policy names, in order. */
export function policyPrincipals(rule: PolicyRule): PolicyPrincipal[] {
  return rule.kind === 'principal' ? [rule] : rule.rules.flatMap(policyPrincipals);
}

/** True when the rule is satisfied by any one of its principals (Fabric requires this of a collection's member policy). */
export function isOrConcatenation(rule: PolicyRule): boolean {
  return rule.kind === 'principal' || (rule.n === 1 && rule.rules.every(isOrConcatenation));
}

/**
 * Why `text` is not a policy the network of `mspIds` can satisfy, or null when
 * it is: the syntax, then every MSP ID it names must be one of the network's.
 */
export function signaturePolicyProblem(text: string, mspIds: readonly string[]): string | null {
  const parsed = parseSignaturePolicy(text);
  if (!parsed.ok) return parsed.message;
  const unknown = [...new Set(policyPrincipals(parsed.policy).map((p) => p.mspId).filter((id) => !mspIds.includes(id)))];
  if (unknown.length > 0) {
    return `${unknown.map((id) => `"${id}"`).join(', ')} ${unknown.length === 1 ? 'is not an org' : 'are not orgs'} of this network (its orgs: ${mspIds.join(', ')})`;
  }
  return null;
}

/** The policy in Fabric's own words, e.g. `AND('Org1MSP.peer','Org2MSP.peer')`: what the peer CLI is given. */
export function formatSignaturePolicy(rule: PolicyRule): string {
  if (rule.kind === 'principal') return `'${rule.mspId}.${rule.role}'`;
  const inner = rule.rules.map(formatSignaturePolicy).join(',');
  if (rule.n === rule.rules.length && rule.rules.length > 1) return `AND(${inner})`;
  if (rule.n === 1) return `OR(${inner})`;
  return `OutOf(${rule.n},${inner})`;
}
