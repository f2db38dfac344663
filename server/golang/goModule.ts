/**
 * What we read from a workspace's go.mod before building it: the module path
 * and whether its `replace` directives stay inside the workspace (go.mod is
 * untrusted). The rule lives beside the sandbox's offline golang builder,
 * which checks a package's go.mod with it too.
 */
export { readGoModule, type GoModule } from '../../sandbox/builders/golang/lib/goModule.mjs';
