/**
 * A two-org sandbox (one container: an orderer, a dev-mode peer and a chaincode
 * process per org) under AND('Org1MSP.peer','Org2MSP.peer'): how long a fresh
 * sandbox takes to become the two-org network, a submit endorsed by both orgs,
 * and the container's memory, with each process's share (per org: its peer
 * and its chaincode).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { samplesDir } from '../server/config.ts';
import { releaseDisksUnder } from '../server/sandbox/ledgerDisk.ts';
import { createSandboxManager } from '../server/sandbox/sandboxManager.ts';
import { WorkspaceSession } from '../server/session/workspaceSession.ts';
import { percentile } from './percentile.ts';

type Report = (name: string, value: number | string | null, unit?: string) => void;

export const twoOrgTargets = { twoOrgSandboxReadyMs: 6000, twoOrgSubmitP50Ms: 150, twoOrgSandboxMemoryMb: 400 };

const exec = promisify(execFile);
const orgs = ['Org1MSP', 'Org2MSP'];

/** Resident memory (MB) of each process in the container, by what it is, read from /proc inside it. */
async function processMemory(container: string): Promise<string> {
  const script = `
    const fs = require('fs');
    const rows = [];
    for (const pid of fs.readdirSync('/proc').filter((d) => /^\\d+$/.test(d)).map(Number).filter((pid) => pid !== process.pid).sort((a, b) => a - b)) {
      try {
        const cmd = fs.readFileSync('/proc/' + pid + '/cmdline', 'utf8').split('\\0').filter(Boolean);
        const rss = /VmRSS:\\s+(\\d+)/.exec(fs.readFileSync('/proc/' + pid + '/status', 'utf8'));
        if (!rss || cmd.length === 0) continue;
        const line = cmd.join(' ');
        const what = /\\/peer node start/.test(line) ? 'peer' : /\\/orderer$/.test(cmd[cmd.length - 1] ?? '') || line.endsWith('orderer') ? 'orderer' : /fabric-shim|standbyProcess/.test(line) ? 'chaincode ' + ((/127\\.0\\.0\\.1:(\\d+)52/.exec(line) || [])[1] || '?') : /main\\.mjs/.test(line) ? 'agent' : null;
        if (what) rows.push(what + ' ' + Math.round(Number(rss[1]) / 1024));
      } catch {}
    }
    console.log(rows.join(', '));`;
  const { stdout } = await exec('docker', ['exec', container, 'node', '-e', script]);
  // Peers in start order (the first org's first: its environment is not readable here); a chaincode
  // by its peer's chaincode port (70 → 7052: Org1, 80: Org2).
  let peer = 0;
  return stdout
    .trim()
    .split(', ')
    .map((row) => (row.startsWith('peer ') ? `peer of ${orgs[peer++] ?? '?'} ${row.slice(5)}` : row.replace(/^chaincode (\d)0/, (_, n: string) => `chaincode of Org${Number(n) - 6}MSP`)))
    .map((row) => `${row} MB`)
    .join(', ');
}

export async function measureTwoOrgs(docker: Docker, report: Report): Promise<Record<string, number | null>> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ccs-bench-orgs-'));
  const sandboxes = createSandboxManager({ docker, dataDir, instance: `ccs-bench-orgs-${randomBytes(3).toString('hex')}` });
  const workspace = 'orgsbench';
  const workspaceDir = path.join(dataDir, 'workspaces', workspace);
  await fs.cp(path.join(samplesDir, 'asset-transfer-ts'), workspaceDir, { recursive: true });
  const studioFile = path.join(workspaceDir, 'studio.json');
  const studio = JSON.parse(await fs.readFile(studioFile, 'utf8')) as Record<string, unknown>;
  await fs.writeFile(studioFile, JSON.stringify({ ...studio, network: { orgs, endorsementPolicy: "AND('Org1MSP.peer','Org2MSP.peer')" } }));
  const session = new WorkspaceSession({ workspace, workspaceDir, sandboxes, publish: () => undefined });
  const figures: Record<string, number | null> = {};
  const put = (name: string, value: number | null, unit: string) => {
    figures[name] = value;
    report(name, value, unit);
  };
  try {
    // A fresh sandbox starts as the one-org network; the first Run of a two-org workspace makes it two orgs.
    const started = performance.now();
    const handle = await sandboxes.start(workspace, () => undefined);
    const oneOrgMs = Math.round(performance.now() - started);
    await handle.agent.setNetwork({ orgs, channel: 'studio' });
    put('twoOrgSandboxReadyMs', Math.round(performance.now() - started), ` ms (container and one-org network ${oneOrgMs} ms, then rebuilt as two orgs)`);

    const run = await session.run();
    if (!run.ok) throw new Error(`the sample did not build: ${run.diagnostics[0]?.message ?? ''}`);
    const answered = session.logHistory.find((l) => / answered \d+ ms after its start/.test(l.text))?.text ?? '';
    put('twoOrgChaincodeReadyMs', run.timings.chaincodeReadyMs ?? null, ` ms (both orgs' processes registered, definition approved by both, every org's peer known to the Gateway; ${answered})`);

    const submits: number[] = [];
    for (let i = 0; i < 100; i++) {
      const t = performance.now();
      const result = await session.invoke({ workspace, mode: 'submit', contract: '', fn: 'CreateAsset', args: [`orgs${i}`, 'blue', '5', 'Tomoko', '300'], ...(i % 2 === 1 ? { asOrg: 'Org2MSP' } : {}) });
      submits.push(performance.now() - t);
      if (result.validationCode !== 'VALID' || result.endorsers?.length !== 2) throw new Error(`a two-org submit was not VALID and endorsed by both: ${result.validationCode} ${String(result.endorsers)}`);
    }
    put('twoOrgSubmitP50Ms', percentile(submits, 50), ' ms (100 submits endorsed by both orgs, every other one as Org2)');
    put('twoOrgSubmitP95Ms', percentile(submits, 95), ' ms');

    const memory = await session.memoryBytes();
    put('twoOrgSandboxMemoryMb', memory === undefined ? null : Math.round(memory / 1024 / 1024), ' MB (docker stats of the container)');
    report('twoOrgProcessMemory', await processMemory(handle.containerName).catch((err: unknown) => `not read: ${String(err)}`), ' (resident, each process)');
  } finally {
    await session.destroy().catch(() => undefined);
    await session.close();
    await releaseDisksUnder(dataDir);
    await fs.rm(dataDir, { recursive: true, force: true });
  }
  return figures;
}
