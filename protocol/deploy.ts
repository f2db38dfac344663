/** Deploying to a production Fabric network (the `deploy` request); the connection's shape is in fabric.ts. */
import { z } from 'zod';
import { FabricConnection } from './fabric.ts';

/** The FabricConnection a `deploy` request carries. */
export const FabricConnectionParams = FabricConnection;
export type FabricConnectionParams = FabricConnection;
/** The steps of a deploy, in order, named for the peer CLI commands. */
export const DeployStepName = z.enum(['install', 'approveformyorg', 'checkcommitreadiness', 'commit', 'querycommitted']);
export type DeployStepName = z.infer<typeof DeployStepName>;
/** The outcome of one deploy step. */
export const DeployStepInfo = z.object({
  step: DeployStepName,
  ok: z.boolean(),
  /** What happened; on failure, the peer's message. */
  message: z.string(),
  durationMs: z.number(),
});
export type DeployStepInfo = z.infer<typeof DeployStepInfo>;
