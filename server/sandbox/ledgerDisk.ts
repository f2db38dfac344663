/**
 * A sandbox's ledger disk: a fixed-size ext4 image on the host, loop-mounted
 * and bind-mounted into the container at /var/sandbox. Its size bounds what
 * the ledger, and any chaincode writing there, can take from the host's disk;
 * the image file outlives the container, so the ledger survives restarts.
 * (Docker 20.10's local volume driver cannot loop-mount an image itself.)
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ErrorCode, StudioError } from '../errors.ts';

const exec = promisify(execFile);

export interface LedgerDiskOptions {
  /** Holds `<name>.img` and the mount point `<name>/`. */
  readonly dir: string;
  readonly name: string;
  readonly sizeBytes: number;
  /** Owner of the file system's root directory (the sandbox's uid). */
  readonly uid: number;
}

export interface LedgerDisk {
  /** The host directory to bind-mount at /var/sandbox. */
  readonly mountPoint: string;
  /** Creates the image once and mounts it if it is not mounted (after a host reboot, say). */
  ensureMounted(): Promise<string>;
  /** Unmounts and deletes the image. Idempotent. */
  remove(): Promise<void>;
}

/** Every mount point on the host, from /proc/self/mountinfo. */
async function mountPoints(): Promise<string[]> {
  const mounts = await fs.readFile('/proc/self/mountinfo', 'utf8');
  // Field 5 is the mount point, with spaces and other specials escaped as \ooo.
  return mounts
    .split('\n')
    .map((line) => line.split(' ')[4]?.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((point): point is string => point !== undefined);
}

async function isMountPoint(dir: string): Promise<boolean> {
  return (await mountPoints()).includes(dir);
}

/**
 * Lazily unmounts every ledger disk mounted under `dir`, deepest first: for
 * cleaning up a data dir whose sandboxes are gone (tests, a crashed server).
 */
export async function releaseDisksUnder(dir: string): Promise<void> {
  const under = (await mountPoints()).filter((point) => point.startsWith(`${path.resolve(dir)}/`)).sort((a, b) => b.length - a.length);
  for (const point of under) await exec('umount', ['-l', point]).catch(() => undefined);
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

function diskError(action: string, err: unknown): StudioError {
  const detail = (err as { stderr?: string }).stderr?.trim() || (err instanceof Error ? err.message : String(err));
  return new StudioError(ErrorCode.Sandbox, `Could not ${action} the sandbox's ledger disk: ${detail}. The server must run as root with mkfs.ext4 and loop devices available.`, { cause: err });
}

export function createLedgerDisk(options: LedgerDiskOptions): LedgerDisk {
  const image = path.join(options.dir, `${options.name}.img`);
  const mountPoint = path.join(options.dir, options.name);

  return {
    mountPoint,

    async ensureMounted() {
      await fs.mkdir(mountPoint, { recursive: true });
      if (await isMountPoint(mountPoint)) return mountPoint;
      if (!(await exists(image))) {
        const partial = `${image}.partial`;
        try {
          const handle = await fs.open(partial, 'w', 0o600);
          // Sparse: the host pays only for blocks the ledger writes.
          await handle.truncate(options.sizeBytes);
          await handle.close();
          await exec('mkfs.ext4', ['-q', '-F', '-m', '0', '-E', `root_owner=${options.uid}:${options.uid}`, partial]);
          await fs.rename(partial, image);
        } catch (err) {
          await fs.rm(partial, { force: true });
          throw diskError('create', err);
        }
      }
      try {
        await exec('mount', ['-o', 'loop,nosuid,nodev,noexec', image, mountPoint]);
      } catch (err) {
        throw diskError('mount', err);
      }
      return mountPoint;
    },

    async remove() {
      if (await isMountPoint(mountPoint).catch(() => false)) {
        try {
          await exec('umount', [mountPoint]);
        } catch {
          // Still busy (a container that is going away): detach it now, it is freed when the last user lets go.
          await exec('umount', ['-l', mountPoint]).catch((err: unknown) => {
            throw diskError('unmount', err);
          });
        }
      }
      await fs.rm(mountPoint, { recursive: true, force: true });
      await fs.rm(image, { force: true });
    },
  };
}
