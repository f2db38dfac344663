/**
 * A {@link DependencyInstaller} that counts each install by result (npm ran,
 * an earlier install was reused, or it failed) and times it.
 */
import type { DependencyInstaller } from '../npm/dependencyInstaller.ts';
import type { StudioMetrics } from './studioMetrics.ts';

export function countInstalls(installer: DependencyInstaller, metrics: Pick<StudioMetrics, 'dependencyInstallFinished'>): DependencyInstaller {
  return {
    async install(workspaceDir, request) {
      const started = performance.now();
      const seconds = () => (performance.now() - started) / 1000;
      try {
        const installed = await installer.install(workspaceDir, request);
        metrics.dependencyInstallFinished(installed.fromCache ? 'cached' : 'installed', seconds());
        return installed;
      } catch (err) {
        metrics.dependencyInstallFinished('failed', seconds());
        throw err;
      }
    },
    // Only looks up the cache: nothing is installed, so nothing is counted.
    installed: (workspaceDir) => installer.installed(workspaceDir),
  };
}
