/**
 * The sandbox's uids own files on the host (the ledger disk holds the org's
 * admin keys), so a host account with one of them could read every sandbox's
 * keys. Before a sandbox is created, each uid (and gid) is checked against the
 * host's accounts (`getent`, so LDAP and the like count too) and the
 * subordinate id ranges of /etc/subuid and /etc/subgid (rootless containers).
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { chaincodeUid, sandboxUid } from '../../config.ts';
import { ErrorCode, StudioError } from '../../errors.ts';

/** Where the accounts come from; the host's by default, replaced in tests. */
export interface AccountSources {
  /** The `getent <db> <id>` line, or undefined when no entry has that id. */
  getent(db: 'passwd' | 'group', id: number): Promise<string | undefined>;
  /** A file's text, or undefined when it does not exist. */
  readFile(file: string): Promise<string | undefined>;
}

const hostSources: AccountSources = {
  getent: (db, id) =>
    new Promise((resolve, reject) => {
      execFile('getent', [db, String(id)], (err, stdout) => {
        if (!err) resolve(stdout.trim());
        // getent exits with 2 when the key is not found.
        else if (err.code === 2) resolve(undefined);
        else reject(new StudioError(ErrorCode.Sandbox, `Could not look up id ${id} in the host's ${db} database (getent): ${err.message}`, { cause: err }));
      });
    }),
  readFile: (file) => fs.readFile(file, 'utf8').catch(() => undefined),
};

/** `name:start:count` lines of /etc/subuid or /etc/subgid that contain `id`. */
function subordinateOwners(text: string | undefined, id: number): string[] {
  return (text ?? '')
    .split('\n')
    .map((line) => line.trim().split(':'))
    .filter(([name, start, count]) => name && Number(start) <= id && id < Number(start) + Number(count))
    .map(([name]) => name ?? '');
}

/** Throws a StudioError naming every host account that has one of `uids` (as uid or gid). */
export async function checkSandboxUids(uids: readonly number[] = [sandboxUid, chaincodeUid], sources: AccountSources = hostSources): Promise<void> {
  const conflicts: string[] = [];
  const [subuid, subgid] = await Promise.all([sources.readFile('/etc/subuid'), sources.readFile('/etc/subgid')]);
  for (const id of uids) {
    const user = await sources.getent('passwd', id);
    if (user) conflicts.push(`uid ${id} is the host account ${user.split(':')[0]}`);
    const group = await sources.getent('group', id);
    if (group) conflicts.push(`gid ${id} is the host group ${group.split(':')[0]}`);
    for (const owner of subordinateOwners(subuid, id)) conflicts.push(`uid ${id} is in ${owner}'s subordinate uids (/etc/subuid)`);
    for (const owner of subordinateOwners(subgid, id)) conflicts.push(`gid ${id} is in ${owner}'s subordinate gids (/etc/subgid)`);
  }
  if (conflicts.length > 0) {
    throw new StudioError(
      ErrorCode.Sandbox,
      `The sandbox's uids must belong to no host account, or that account could read every sandbox's keys: ${conflicts.join('; ')}. ` +
        'Remove or renumber that account, or change sandboxUid in server/config.ts.',
    );
  }
}
