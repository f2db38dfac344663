import { describe, expect, it } from 'vitest';
import { chaincodeUid, sandboxUid } from '../../config.ts';
import { ErrorCode, StudioError } from '../../errors.ts';
import { checkSandboxUids, type AccountSources } from './sandboxUids.ts';

/** Accounts as getent and /etc/sub[ug]id would show them. */
function sources(accounts: { passwd?: Record<number, string>; group?: Record<number, string>; files?: Record<string, string> }): AccountSources {
  return {
    getent: async (db, id) => accounts[db]?.[id],
    readFile: async (file) => accounts.files?.[file],
  };
}

async function refusal(promise: Promise<void>): Promise<StudioError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StudioError);
  expect((err as StudioError).code).toBe(ErrorCode.Sandbox);
  return err as StudioError;
}

describe('the sandbox uids', () => {
  it('pass when no account, group or subordinate range has them', async () => {
    const subuid = 'alice:100000:65536\nbob:165536:65536\n';
    await expect(checkSandboxUids([sandboxUid, chaincodeUid], sources({ passwd: { 1000: 'alice:x:1000:1000::/home/alice:/bin/bash' }, files: { '/etc/subuid': subuid, '/etc/subgid': subuid } }))).resolves.toBeUndefined();
  });

  it('are refused when a host account has one, naming the account and the way out', async () => {
    const err = await refusal(checkSandboxUids([1000, 1001], sources({ passwd: { 1000: 'alice:x:1000:1000::/home/alice:/bin/bash' }, group: { 1001: 'devs:x:1001:' } })));
    expect(err.message).toContain('uid 1000 is the host account alice');
    expect(err.message).toContain('gid 1001 is the host group devs');
    expect(err.message).toContain('change sandboxUid in server/config.ts');
  });

  it("are refused inside an account's subordinate uid or gid range", async () => {
    const err = await refusal(checkSandboxUids([100_000 + 5], sources({ files: { '/etc/subuid': 'alice:100000:65536\n', '/etc/subgid': 'bob:90000:20000\n' } })));
    expect(err.message).toContain("uid 100005 is in alice's subordinate uids (/etc/subuid)");
    expect(err.message).toContain("gid 100005 is in bob's subordinate gids (/etc/subgid)");
  });

  it('are checked against this host for real: root is taken, the configured uids are free', async () => {
    expect((await refusal(checkSandboxUids([0]))).message).toContain('uid 0 is the host account root');
    await expect(checkSandboxUids()).resolves.toBeUndefined();
  });
});
