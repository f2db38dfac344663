/**
 * Runs a ccaas bundle's Deployment the way a kubelet would, with Docker, on a
 * sandbox's network: its image, env, user, read-only root, dropped
 * capabilities, an emptyDir per volume mount, answering to the Service's
 * cluster DNS name; ready once something accepts on its container port (what
 * its readinessProbe checks).
 */
import net from 'node:net';
import type Docker from 'dockerode';
import { expect } from 'vitest';

/** What the tests read of the bundle's k8s/deployment.yaml. */
export interface DeploymentManifest {
  spec: {
    template: {
      spec: {
        securityContext: { runAsUser: number; runAsGroup: number };
        containers: {
          image: string;
          env: { name: string; value: string }[];
          ports: { containerPort: number }[];
          securityContext: { readOnlyRootFilesystem: boolean; capabilities: { drop: string[] }; allowPrivilegeEscalation: boolean };
          volumeMounts: { mountPath: string }[];
        }[];
      };
    };
  };
}

export interface KubeletLikeStart {
  readonly docker: Docker;
  readonly deployment: DeploymentManifest;
  /** The name the peer dials (the Service's `<name>.<namespace>.svc.cluster.local`). */
  readonly serviceDnsName: string;
  /** The sandbox's Docker network the container joins. */
  readonly network: string;
  readonly containerName: string;
  /** An init process as PID 1 (Docker's --init), for a server that does not reap its children. */
  readonly init?: boolean;
}

export async function startAsKubernetesWould(options: KubeletLikeStart): Promise<void> {
  const { docker, network, containerName, serviceDnsName } = options;
  const pod = options.deployment.spec.template.spec;
  const container = pod.containers[0];
  if (!container) throw new Error('the Deployment has no container');
  const create: Docker.ContainerCreateOptions = {
    name: containerName,
    Image: container.image,
    Env: container.env.map((e) => `${e.name}=${e.value}`),
    User: `${pod.securityContext.runAsUser}:${pod.securityContext.runAsGroup}`,
    HostConfig: {
      NetworkMode: network,
      ReadonlyRootfs: container.securityContext.readOnlyRootFilesystem,
      CapDrop: container.securityContext.capabilities.drop,
      SecurityOpt: container.securityContext.allowPrivilegeEscalation ? [] : ['no-new-privileges'],
      Tmpfs: Object.fromEntries(container.volumeMounts.map((m) => [m.mountPath, 'rw,nosuid,nodev,size=16m'])),
      ...(options.init ? { Init: true } : {}),
    },
    NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [serviceDnsName] } } },
  };
  await (await docker.createContainer(create)).start();
  const ip = (await docker.getContainer(containerName).inspect()).NetworkSettings.Networks[network]?.IPAddress ?? '';
  const port = container.ports[0]?.containerPort ?? 0;
  const accepts = () =>
    new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: ip, port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
  await expect.poll(accepts, { timeout: 20_000, interval: 200 }).toBe(true);
}
