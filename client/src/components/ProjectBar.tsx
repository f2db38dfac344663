import { useController, useStudio } from '../state/StudioContext.tsx';
import { ChaincodeNameField } from './ChaincodeNameField.tsx';
import { Icon } from './Icon.tsx';
import { NetworkSettingsForm } from './NetworkSettingsForm.tsx';

/** The open workspace's project settings above the side panel: its chaincode name, its network, and its sources as a .zip. */
export function ProjectBar() {
  const { imports } = useController();
  const workspace = useStudio((s) => s.workspace);
  if (workspace === null) return null;
  return (
    <section className="project-bar" data-testid="project-bar">
      <ChaincodeNameField key={workspace} workspace={workspace} />
      <NetworkSettingsForm key={`network-${workspace}`} workspace={workspace} />
      <a className="btn small download" data-testid="workspace-download-zip" href={imports.zipHref(workspace)} download={`${workspace}.zip`} title="The workspace's sources as a .zip (no node_modules, no build output)">
        <Icon name="download" /> Download workspace (.zip)
      </a>
    </section>
  );
}
