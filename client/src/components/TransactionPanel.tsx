import { useEffect, useMemo, useState } from 'react';
import { argumentProblem } from '../../../protocol/contractArgs.ts';
import type { ContractTransaction } from '../../../protocol/messages.ts';
import type { InvokeRequest } from '../state/studioState.ts';
import { useController, useStudio } from '../state/StudioContext.tsx';
import { Icon } from './Icon.tsx';
import { PausedTransaction } from './PausedTransaction.tsx';
import { InvokeTestsBar } from './InvokeTestsBar.tsx';
import { ResultCard } from './ResultCard.tsx';

interface TransientRow {
  key: string;
  value: string;
}

const structuredType = /^(object|array|any)$|\[\]$|^\{/i;

/** Pick a contract and transaction from the chaincode's metadata, fill its parameters, submit or evaluate. */
export function TransactionPanel() {
  const controller = useController();
  const metadata = useStudio((s) => s.metadata);
  const invokes = useStudio((s) => s.invokes);
  const chaincode = useStudio((s) => s.status?.chaincode ?? 'stopped');
  const previousBuild = useStudio((s) => s.status?.previousBuild);
  const workspace = useStudio((s) => s.workspace);
  const contracts = useMemo(() => metadata?.contracts ?? [], [metadata]);
  const [contractName, setContractName] = useState<string | null>(null);
  const [fnName, setFnName] = useState<string | null>(null);
  // Parameter values per contract/function, so switching back keeps what was typed.
  const [values, setValues] = useState<Record<string, Record<string, string>>>({});
  const [transient, setTransient] = useState<TransientRow[]>([]);
  // The network's orgs, for choosing who endorses; read again whenever the chaincode (re)starts.
  const [orgs, setOrgs] = useState<string[]>([]);
  const [endorsingOrgs, setEndorsingOrgs] = useState<string[]>([]);
  // Which org's client identity sends; null: the first org's.
  const [asOrg, setAsOrg] = useState<string | null>(null);
  useEffect(() => {
    if (workspace === null || chaincode !== 'running') return undefined;
    let current = true;
    controller.imports.network(workspace).then(
      (read) => current && setOrgs(read.network ? [...read.network.orgs] : []),
      () => current && setOrgs([]),
    );
    return () => {
      current = false;
    };
  }, [controller.imports, workspace, chaincode]);
  const [shownId, setShownId] = useState<number | null>(null);
  // Problems show once a field was left or a send was tried, so a fresh form is not all red.
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());

  const contract = contracts.find((c) => c.name === contractName) ?? contracts.find((c) => c.isDefault) ?? contracts[0];
  const transactions = contract?.transactions ?? [];
  const fn: ContractTransaction | undefined = transactions.find((t) => t.name === fnName) ?? transactions[0];
  const shown = invokes.find((r) => r.id === shownId) ?? invokes[0];

  const formKey = `${contract?.name ?? ''}/${fn?.name ?? ''}`;
  const current = values[formKey] ?? {};
  const setParam = (name: string, value: string): void => setValues({ ...values, [formKey]: { ...current, [name]: value } });
  const touch = (...names: string[]): void => setTouched(new Set([...touched, ...names.map((n) => `${formKey}/${n}`)]));
  const problems = new Map((fn?.params ?? []).flatMap((p) => {
    const problem = argumentProblem(p, current[p.name] ?? '');
    return problem === undefined ? [] : [[p.name, problem] as const];
  }));
  const shownProblem = (name: string): string | undefined => (touched.has(`${formKey}/${name}`) ? problems.get(name) : undefined);

  const requestFor = (mode: 'submit' | 'evaluate'): InvokeRequest | undefined => {
    if (!contract || !fn) return undefined;
    return {
      mode,
      contract: contract.isDefault ? '' : contract.name,
      fn: fn.name,
      args: fn.params.map((p) => current[p.name] ?? ''),
      transient: Object.fromEntries(transient.filter((r) => r.key.trim()).map((r) => [r.key.trim(), r.value])),
      ...(endorsingOrgs.length > 0 ? { endorsingOrgs } : {}),
      ...(asOrg !== null && orgs.length > 1 && orgs.includes(asOrg) ? { asOrg } : {}),
    };
  };
  const send = (mode: 'submit' | 'evaluate'): void => {
    const request = requestFor(mode);
    if (!request || !fn) return;
    if (problems.size > 0) {
      // Nothing is sent: every field that does not fit says why, and the first one gets the cursor.
      touch(...fn.params.map((p) => p.name));
      const first = fn.params.find((p) => problems.has(p.name));
      if (first) document.querySelector<HTMLElement>(`[data-testid="tx-param-${CSS.escape(first.name)}"]`)?.focus();
      return;
    }
    setShownId(null);
    void controller.invokes.invoke(request);
  };
  const loadIntoForm = (request: InvokeRequest): void => {
    const target = contracts.find((c) => (request.contract ? c.name === request.contract : c.isDefault)) ?? contract;
    setContractName(target?.name ?? null);
    setFnName(request.fn);
    const txn = target?.transactions.find((t) => t.name === request.fn);
    const key = `${target?.name ?? ''}/${request.fn}`;
    setValues({ ...values, [key]: Object.fromEntries((txn?.params ?? []).map((p, i) => [p.name, request.args[i] ?? ''])) });
    setTransient(Object.entries(request.transient).map(([key, value]) => ({ key, value })));
    setEndorsingOrgs(request.endorsingOrgs ?? []);
    setAsOrg(request.asOrg ?? null);
  };

  const ready = chaincode === 'running' && fn !== undefined;
  const pending = invokes.some((r) => 'pending' in r.outcome);

  if (contracts.length === 0) {
    return (
      <div className="tx-panel" data-testid="tx-panel">
        <PausedTransaction />
        <div className="empty-state">
          <p className="empty-title">{workspace === null ? 'No workspace open' : chaincode === 'running' ? 'Reading the contract metadata…' : 'No chaincode running'}</p>
          {workspace === null ? (
            <p className="muted small">Pick a sample on the start page and press Create &amp; Run, or open a workspace. Its transactions then appear here as forms.</p>
          ) : chaincode === 'running' ? null : (
            <p className="muted small">
              Press <strong>Run</strong> to start the chaincode in the sandbox. Its contracts and transactions appear here as a form, one field per parameter.
            </p>
          )}
        </div>
      </div>
    );
  }

  return (
    <div className="tx-panel" data-testid="tx-panel">
      <PausedTransaction />
      <label className="field">
        <span>Contract</span>
        <select data-testid="tx-contract-select" value={contract?.name ?? ''} disabled={contracts.length === 0} onChange={(e) => setContractName(e.target.value)}>
          {contracts.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name}
              {c.isDefault ? ' (default)' : ''}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Function</span>
        <select data-testid="tx-function-select" value={fn?.name ?? ''} disabled={transactions.length === 0} onChange={(e) => setFnName(e.target.value)}>
          {transactions.map((t) => (
            <option key={t.name} value={t.name}>
              {t.name} {t.kind === 'evaluate' ? '(query)' : ''}
            </option>
          ))}
        </select>
      </label>
      {fn?.params.map((p) => {
        const problem = shownProblem(p.name);
        const required = p.required !== false;
        const common = {
          'data-testid': `tx-param-${p.name}`,
          value: current[p.name] ?? '',
          'aria-required': required,
          'aria-invalid': problem !== undefined,
          'aria-describedby': problem ? `tx-param-error-${p.name}` : undefined,
          onBlur: () => touch(p.name),
        };
        return (
          <label key={p.name} className={`field${problem ? ' invalid' : ''}`}>
            <span>
              {p.name}
              {required ? (
                <span className="required-mark" title="Required: Fabric passes every parameter" data-testid={`tx-param-required-${p.name}`}>
                  *
                </span>
              ) : null}{' '}
              <span className="type">{p.type}</span>
            </span>
            {structuredType.test(p.type) ? (
              <textarea {...common} rows={3} placeholder="JSON" onChange={(e) => setParam(p.name, e.target.value)} />
            ) : (
              <input {...common} inputMode={/number|int/i.test(p.type) ? 'decimal' : undefined} onChange={(e) => setParam(p.name, e.target.value)} />
            )}
            {problem ? (
              <small className="hint error" id={`tx-param-error-${p.name}`} data-testid={`tx-param-error-${p.name}`}>
                {problem}
              </small>
            ) : null}
          </label>
        );
      })}
      {fn && fn.params.length === 0 ? <p className="muted small">No parameters.</p> : null}
      <div className="subhead row">
        Transient data
        <button className="icon-btn" data-testid="tx-transient-add" title="Add a transient key" onClick={() => setTransient([...transient, { key: '', value: '' }])}>
          <Icon name="plus" />
        </button>
      </div>
      {transient.map((row, i) => (
        <div key={i} className="transient-row">
          <input
            data-testid="tx-transient-key"
            placeholder="key"
            value={row.key}
            onChange={(e) => setTransient(transient.map((r, j) => (j === i ? { ...r, key: e.target.value } : r)))}
          />
          <input
            data-testid="tx-transient-value"
            placeholder="value"
            value={row.value}
            onChange={(e) => setTransient(transient.map((r, j) => (j === i ? { ...r, value: e.target.value } : r)))}
          />
          <button className="icon-btn" title="Remove" onClick={() => setTransient(transient.filter((_, j) => j !== i))}>
            <Icon name="close" />
          </button>
        </div>
      ))}
      {orgs.length > 1 ? (
        <label className="field" data-testid="tx-as-org-field">
          <span className="subhead">Submit as</span>
          <select data-testid="tx-as-org" value={asOrg !== null && orgs.includes(asOrg) ? asOrg : orgs[0]} onChange={(e) => setAsOrg(e.target.value)}>
            {orgs.map((org) => (
              <option key={org} value={org}>
                {org} (User1, through its own peer)
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {orgs.length > 0 ? (
        <fieldset className="endorsing-orgs" data-testid="tx-endorsing-orgs">
          <legend className="subhead">Endorsing orgs</legend>
          {orgs.map((org) => (
            <label key={org} className="check">
              <input
                type="checkbox"
                data-testid={`tx-endorse-${org}`}
                checked={endorsingOrgs.includes(org)}
                onChange={(e) => setEndorsingOrgs(e.target.checked ? [...endorsingOrgs, org] : endorsingOrgs.filter((o) => o !== org))}
              />
              <span className="mono">{org}</span>
            </label>
          ))}
          <small className="hint">None ticked: the Gateway picks by the endorsement policy. Tick the orgs that must endorse, e.g. members of a collection when sending private data as transient data.</small>
        </fieldset>
      ) : null}
      {previousBuild && chaincode === 'running' ? (
        <div className="previous-build" data-testid="tx-previous-build" role="status">
          <strong>Running the previous build.</strong> {previousBuild}. Fix the errors and press Run to answer with your current code.
        </div>
      ) : null}
      <div className="tx-actions">
        <button className={`btn${fn?.kind !== 'evaluate' ? ' primary' : ''}`} data-testid="tx-submit" disabled={!ready} onClick={() => send('submit')}>
          Submit
        </button>
        <button className={`btn${fn?.kind === 'evaluate' ? ' primary' : ''}`} data-testid="tx-evaluate" disabled={!ready} onClick={() => send('evaluate')}>
          Evaluate
        </button>
        {pending ? <span className="muted small">running…</span> : null}
      </div>
      {fn && fn.params.some((p) => shownProblem(p.name)) ? (
        <p className="hint error" data-testid="tx-form-problems">
          Not sent: {problems.size === 1 ? 'one field does' : `${problems.size} fields do`} not fit the parameter types.
        </p>
      ) : null}
      {shown ? <ResultCard record={shown} /> : null}
      {invokes.length > 0 ? (
        <div className="tx-history" data-testid="tx-history">
          <div className="subhead">History</div>
          {invokes.map((r) => {
            const state = 'pending' in r.outcome ? 'pending' : r.outcome.ok ? 'ok' : 'error';
            return (
              <div key={r.id} className={`history-item ${state}${shown?.id === r.id ? ' selected' : ''}`} data-testid="tx-history-item" data-state={state} title={r.request.args.join(', ')}>
                <button
                  className="history-open"
                  data-testid="tx-history-open"
                  aria-pressed={shown?.id === r.id}
                  onClick={() => {
                    setShownId(r.id);
                    loadIntoForm(r.request);
                  }}
                >
                  <span className={`mode ${r.request.mode}`} aria-hidden="true">
                    {r.request.mode === 'submit' ? 'S' : 'E'}
                  </span>
                  <span className="sr-only">{r.request.mode}</span>
                  <span className="history-fn">
                    {r.request.fn}({r.request.args.map((a) => (a.length > 12 ? `${a.slice(0, 12)}…` : a)).join(', ')})
                  </span>
                </button>
                <button
                  className="icon-btn"
                  data-testid="tx-history-rerun"
                  title="Run again"
                  aria-label={`Run ${r.request.fn} again`}
                  disabled={chaincode !== 'running'}
                  onClick={(e) => {
                    e.stopPropagation();
                    setShownId(null);
                    void controller.invokes.invoke(r.request);
                  }}
                >
                  <Icon name="restart" />
                </button>
              </div>
            );
          })}
        </div>
      ) : null}
      <InvokeTestsBar />
    </div>
  );
}
