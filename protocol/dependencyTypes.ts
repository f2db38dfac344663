/**
 * The type declarations of a workspace's installed npm packages, served
 * read-only to the editor's TypeScript worker (`dependencies/types`), so
 * IntelliSense resolves the same packages the compiler does.
 */

/** One declaration file (or a package.json trimmed to what module resolution reads), at its path under the install root. */
export interface DependencyTypeFile {
  /** `node_modules/<package>/…`, '/'-separated. */
  path: string;
  text: string;
}

/** The declarations of the installed dependencies of a workspace. */
export interface DependencyTypes {
  /** The install they come from (its cache key); null when the workspace has none installed yet (before its first Run). */
  key: string | null;
  files: DependencyTypeFile[];
  /** Packages whose declarations were left out because the size or count limit was reached. */
  leftOut: string[];
}
