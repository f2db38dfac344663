/** `npm run build:image`: builds the sandbox image (if its inputs changed) and prints progress. */
import Docker from 'dockerode';
import { ensureFabricBinaries, ensureSandboxImage } from './buildImage.ts';

const docker = new Docker();
const started = Date.now();
try {
  // The host needs the Fabric CLI too (package IDs, deploys), even when the image is already built.
  await ensureFabricBinaries((step, message) => console.log(`[image:${step}] ${message}`));
  const info = await ensureSandboxImage(docker, (step, message) => console.log(`[image:${step}] ${message}`));
  console.log(info.buildMs === null ? `Sandbox image ${info.tag} is up to date.` : `Sandbox image ${info.tag} built in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
