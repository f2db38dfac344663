import { useEffect, useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import type { WorkspaceNetworkResult } from '../../../protocol/messages.ts';
import { checkNetworkSettings, couchDbUnavailableMessage, defaultNetworkSettings, defaultMspId, networkChange, networkOrgsMax, type NetworkChange, type NetworkSettings } from '../../../protocol/networkSettings.ts';
import { errorDataOf } from '../../../protocol/errorData.ts';
import { ErrorCode } from '../../../protocol/errors.ts';
import { describeError, RpcError } from '../rpc/rpcError.ts';
import { useController, useStudio } from '../state/StudioContext.tsx';
import { ConfirmActionDialog } from './ConfirmActionDialog.tsx';

interface Draft {
  orgs: string[];
  channel: string;
  endorsementPolicy: string;
  collectionsConfig: string;
  stateDatabase: string;
}

function draftOf(settings: NetworkSettings): Draft {
  return {
    orgs: [...settings.orgs],
    channel: settings.channel,
    endorsementPolicy: settings.endorsementPolicy ?? '',
    collectionsConfig: settings.collectionsConfig ?? '',
    stateDatabase: settings.stateDatabase,
  };
}

function networkOf(draft: Draft) {
  return {
    orgs: draft.orgs,
    channel: draft.channel,
    ...(draft.endorsementPolicy.trim() ? { endorsementPolicy: draft.endorsementPolicy.trim() } : {}),
    ...(draft.collectionsConfig ? { collectionsConfig: draft.collectionsConfig } : {}),
    stateDatabase: draft.stateDatabase,
  };
}

/**
 * The network the workspace's chaincode is meant for (studio.json's
 * `network`): orgs, channel, endorsement policy, collections config and
 * state database. Each field is checked as it is typed, with the same rules
 * the server applies; a change of orgs or channel asks first, naming what
 * the rebuild loses.
 */
export function NetworkSettingsForm({ workspace }: { workspace: string }) {
  const { imports, deps } = useController();
  const { rpc } = deps;
  const connected = useStudio((s) => s.connection === 'open');
  const [read, setRead] = useState<WorkspaceNetworkResult | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [serverIssues, setServerIssues] = useState<{ path: string; message: string }[]>([]);
  const [saved, setSaved] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<NetworkChange | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let current = true;
    const load = (): void => {
      imports.network(workspace).then(
        (result) => {
          if (!current) return;
          setRead(result);
          setDraft(draftOf(result.network ?? defaultNetworkSettings));
          setServerIssues(result.issues);
        },
        (err: unknown) => current && setError(describeError(err).message),
      );
    };
    load();
    const off = rpc.on('file/changed', (change) => {
      if (change.workspace === workspace && change.path === 'studio.json') load();
    });
    return () => {
      current = false;
      off();
    };
  }, [imports, rpc, workspace]);

  if (draft === null || read === null) {
    return (
      <section className="network-settings" data-testid="network-settings">
        <small className={error ? 'hint error' : 'hint'}>{error ?? 'Reading the network settings…'}</small>
      </section>
    );
  }

  const checked = checkNetworkSettings(networkOf(draft));
  const issueOf = (field: string): string | undefined =>
    (checked.ok ? undefined : checked.issues.find((i) => i.path === `network.${field}` || i.path.startsWith(`network.${field}[`))?.message) ??
    serverIssues.find((i) => i.path === `network.${field}` || (field === 'collectionsConfig' && !i.path.startsWith('network')))?.message;
  const before = read.network;
  const change = checked.ok && before ? networkChange(before, checked.settings) : null;
  const dirty = before === null || JSON.stringify(networkOf(draft)) !== JSON.stringify(networkOf(draftOf(before)));
  const update = (patch: Partial<Draft>): void => {
    setDraft({ ...draft, ...patch });
    setSaved(null);
    setServerIssues([]);
  };
  const setOrgCount = (count: number): void => {
    const orgs = Array.from({ length: count }, (_, i) => draft.orgs[i] ?? defaultMspId(i));
    update({ orgs });
  };

  const write = async (): Promise<void> => {
    setConfirm(null);
    setBusy(true);
    setError(null);
    try {
      const result = await imports.setNetwork(workspace, networkOf(draft));
      setRead(result);
      setDraft(draftOf(result.network ?? defaultNetworkSettings));
      setSaved(
        result.change.rebuild
          ? 'Saved: the next Run builds the new network.'
          : result.change.newDefinition
            ? 'Saved: the next Run approves a new chaincode definition (next sequence); the ledger stays.'
            : 'Saved; it applies from the next Run.',
      );
    } catch (err) {
      const described = describeError(err);
      const issues = err instanceof RpcError ? errorDataOf(ErrorCode.InvalidParams, err)?.issues : undefined;
      if (issues) setServerIssues(issues);
      setError(`${described.message} (${described.code})`);
    } finally {
      setBusy(false);
    }
  };
  const save = (ev: FormEvent): void => {
    ev.preventDefault();
    if (!checked.ok || !dirty || busy) return;
    if (change?.rebuild) setConfirm(change);
    else void write();
  };

  const field = (name: string, label: string, control: ReactNode, hint?: string) => {
    const problem = issueOf(name);
    return (
      <label className="field">
        <span>{label}</span>
        {control}
        {problem !== undefined || hint !== undefined ? (
          <small className={problem !== undefined ? 'hint error' : 'hint'} data-testid={`network-${name}-hint`}>
            {problem ?? hint}
          </small>
        ) : null}
      </label>
    );
  };
  const collectionsChoices = [...new Set([...read.collectionsFiles, ...(draft.collectionsConfig ? [draft.collectionsConfig] : [])])];
  const offered = !draft.collectionsConfig && read.collectionsFiles[0] !== undefined ? read.collectionsFiles[0] : undefined;

  return (
    <details className="network-settings" data-testid="network-settings">
      <summary data-testid="network-summary">
        Network: {before ? `${before.orgs.length === 1 ? '1 org' : `${before.orgs.length} orgs`} · ${before.channel}${before.endorsementPolicy ? ' · policy' : ''}${before.collectionsConfig ? ' · collections' : ''}` : 'settings need fixing'}
      </summary>
      <form onSubmit={save}>
      <fieldset disabled={!connected || busy}>
        {field(
          'orgs',
          'Orgs (one peer each)',
          <span className="inline-field">
            <select data-testid="network-org-count" value={draft.orgs.length} onChange={(e) => setOrgCount(Number(e.target.value))} aria-label="Number of orgs">
              {Array.from({ length: networkOrgsMax }, (_, i) => (
                <option key={i} value={i + 1}>
                  {i + 1}
                </option>
              ))}
            </select>
            {draft.orgs.map((id, i) => (
              <input
                key={i}
                data-testid={`network-msp-${i}`}
                aria-label={`MSP ID of org ${i + 1}`}
                value={id}
                spellCheck={false}
                onChange={(e) => update({ orgs: draft.orgs.map((o, j) => (j === i ? e.target.value : o)) })}
              />
            ))}
          </span>,
        )}
        {field('channel', 'Channel', <input data-testid="network-channel" value={draft.channel} spellCheck={false} onChange={(e) => update({ channel: e.target.value })} />)}
        {field(
          'endorsementPolicy',
          'Endorsement policy',
          <input
            data-testid="network-policy"
            value={draft.endorsementPolicy}
            spellCheck={false}
            placeholder="the channel's default: a majority of the orgs"
            onChange={(e) => update({ endorsementPolicy: e.target.value })}
          />,
          "Fabric's syntax, e.g. AND('Org1MSP.peer','Org2MSP.peer') or OutOf(2, …)",
        )}
        {field(
          'collectionsConfig',
          'Collections config',
          <span className="inline-field">
            <select data-testid="network-collections" value={draft.collectionsConfig} onChange={(e) => update({ collectionsConfig: e.target.value })} aria-label="Collections config file">
              <option value="">No collections</option>
              {collectionsChoices.map((file) => (
                <option key={file} value={file}>
                  {file}
                </option>
              ))}
            </select>
            {offered !== undefined ? (
              <button type="button" className="btn small" data-testid="network-use-collections" onClick={() => update({ collectionsConfig: offered })}>
                Use {offered}
              </button>
            ) : null}
          </span>,
          read.collections.length > 0 && draft.collectionsConfig === (before?.collectionsConfig ?? '') ? `Collections: ${read.collections.map((c) => c.name).join(', ')}` : undefined,
        )}
        {field(
          'stateDatabase',
          'State database',
          <select data-testid="network-state-database" value={draft.stateDatabase} onChange={(e) => update({ stateDatabase: e.target.value })}>
            <option value="leveldb">LevelDB</option>
            <option value="couchdb">CouchDB (not available here)</option>
          </select>,
          draft.stateDatabase === 'couchdb' ? couchDbUnavailableMessage : undefined,
        )}
        <span className="inline-field">
          <button type="submit" className="btn" data-testid="network-save" disabled={!checked.ok || !dirty}>
            {busy ? 'Saving…' : 'Save network'}
          </button>
          <small className={error ? 'hint error' : 'hint'} data-testid="network-save-hint" role={error ? 'alert' : undefined}>
            {error ?? saved ?? (change?.rebuild ? 'Changing the orgs or the channel rebuilds the network at the next Run.' : change?.newDefinition ? 'A new policy or collections config is approved as the next sequence; the ledger stays.' : '')}
          </small>
        </span>
      </fieldset>
      </form>
      {confirm ? (
        <ConfirmActionDialog
          title="Rebuild the sandbox's network?"
          keeps={['The workspace files', 'The chaincode name and breakpoints']}
          loses={[...confirm.lost]}
          note="The new network is built at the next Run."
          confirmLabel="Save and rebuild at next Run"
          danger
          onConfirm={() => void write()}
          onClose={() => setConfirm(null)}
        />
      ) : null}
    </details>
  );
}
