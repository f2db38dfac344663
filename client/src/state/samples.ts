import type { Sample, WorkspaceSummary } from './studioState.ts';

/** The workspace id pattern of the protocol (WorkspaceId), for checking a name as it is typed. */
export const workspaceNamePattern = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** How a language is named to a person. */
export function languageName(language: Sample['language']): string {
  return language === 'typescript' ? 'TypeScript' : language === 'go' ? 'Go' : 'JavaScript';
}

/** Whether a sample's title already names its language (then a language badge would say it twice). */
export function titleNamesLanguage(sample: Sample): boolean {
  return sample.title.toLowerCase().includes(languageName(sample.language).toLowerCase());
}

/** A workspace name for `sample` that no workspace has yet: its id, then `<id>-2`, `<id>-3`, … */
export function freeWorkspaceName(sample: Sample, workspaces: readonly WorkspaceSummary[]): string {
  const taken = new Set(workspaces.map((w) => w.id));
  const base = sample.id.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+/, '').slice(0, 56) || 'workspace';
  for (let n = 1; ; n++) {
    const name = n === 1 ? base : `${base}-${n}`;
    if (!taken.has(name)) return name;
  }
}

/** Why `name` cannot name a new workspace, or null when it can. */
export function workspaceNameProblem(name: string, workspaces: readonly WorkspaceSummary[]): string | null {
  if (name === '') return 'Give the workspace a name.';
  if (!workspaceNamePattern.test(name)) return 'Use lowercase letters, digits and dashes (up to 63), starting with a letter or digit.';
  if (workspaces.some((w) => w.id === name)) return `A workspace named ${name} already exists: pick another name, or open it below.`;
  return null;
}
