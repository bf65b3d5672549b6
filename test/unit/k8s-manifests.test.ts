/* eslint-disable @typescript-eslint/no-explicit-any -- parsed manifests are read by path, as kubectl reads them */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { pins } from '../../scripts/lib/images';

// The Kubernetes manifests in k8s/ are on paper: no cluster runs them here. This checks them
// statically: each file parses as YAML, with the image variables filled as `envsubst` fills them
// from compose/.env; each object has the apiVersion its kind needs; and the lessons hold: a Service
// per tier that selects that tier's pods on a port they declare, readiness on /readyz and liveness
// on /healthz, a NetworkPolicy that lets only the API's pods reach MongoDB, MongoDB on a PVC,
// secrets referenced by name and never committed, images pinned only in compose/.env; and the
// hardening: every pod non-root, read-only, without capabilities, privilege escalation or a
// service-account token, under seccomp's RuntimeDefault, behind a default-deny network policy with
// the allows each needs (DNS included).
// Not validated: the full Kubernetes schema (no schema or kubeconform is available offline), how a
// cluster's admission and network plugin treat them, and whether they run.
const K8S_DIR = resolve(__dirname, '../../k8s');

type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: any;
};

const variables: Record<string, string> = {
  ...pins(),
  FAVORITES_API_IMAGE: 'registry.example/favorites:1.0.0',
} as Record<string, string>;
const substitute = (text: string) =>
  text.replace(/\$\{(\w+)\}/g, (_, name: string) => {
    if (!variables[name]) throw new Error(`k8s/ uses \${${name}}, which compose/.env does not set`);
    return variables[name];
  });

const files = readdirSync(K8S_DIR).filter((file) => file.endsWith('.yaml'));
const objects: K8sObject[] = files.flatMap((file) =>
  parseAllDocuments(substitute(readFileSync(join(K8S_DIR, file), 'utf8'))).map((document) => {
    if (document.errors.length > 0) throw new Error(`k8s/${file}: ${document.errors[0].message}`);
    return document.toJS() as K8sObject;
  }),
);
const all = (kind: string) => objects.filter((object) => object.kind === kind);
const one = (kind: string, name: string) => {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`k8s/ has no ${kind} ${name}`);
  return found;
};
const workloads = () => [...all('Deployment'), ...all('Job')];
const podSpec = (workload: K8sObject) => workload.spec.template.spec;
const containers = (workload: K8sObject): any[] => podSpec(workload).containers;
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

const API_VERSIONS: Record<string, string> = {
  Deployment: 'apps/v1',
  Job: 'batch/v1',
  Service: 'v1',
  PersistentVolumeClaim: 'v1',
  NetworkPolicy: 'networking.k8s.io/v1',
};

describe('k8s/ manifests (static checks)', () => {
  it('every object has a name and the apiVersion its kind needs, and no Secret is committed', () => {
    expect(files.length).toBeGreaterThan(0);
    expect(all('Secret')).toEqual([]);
    for (const object of objects) {
      expect(object.metadata?.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      expect({ kind: object.kind, apiVersion: object.apiVersion }).toEqual({
        kind: object.kind,
        apiVersion: API_VERSIONS[object.kind],
      });
    }
  });

  it('a Service per tier, each selecting exactly one Deployment, on a port its pods declare', () => {
    const tiers = all('Deployment').map((deployment) => deployment.metadata.labels?.tier);
    expect(
      all('Service')
        .map((service) => service.metadata.labels?.tier)
        .sort(),
    ).toEqual(tiers.sort());
    for (const service of all('Service')) {
      const selected = all('Deployment').filter((deployment) =>
        matches(service.spec.selector, deployment.spec.template.metadata.labels),
      );
      expect(selected).toHaveLength(1);
      const portNames = containers(selected[0]).flatMap((container) =>
        container.ports.map((port: { name: string }) => port.name),
      );
      for (const port of service.spec.ports) expect(portNames).toContain(port.targetPort);
      // Each Deployment's selector must pick its own pods, or it would never see them.
      expect(matches(selected[0].spec.selector.matchLabels, selected[0].spec.template.metadata.labels)).toBe(true);
    }
  });

  it('the API runs three replicas, ready on /readyz and alive on /healthz, and a rollout never has fewer ready', () => {
    const api = one('Deployment', 'favorites');
    const [container] = containers(api);

    expect(api.spec.replicas).toBe(3);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(api.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
  });

  it('the API reaches MongoDB by its Service name and signs in as its own user, with a password file from a Secret', () => {
    const env = Object.fromEntries(
      containers(one('Deployment', 'favorites'))[0].env.map((variable: { name: string; value: string }) => [
        variable.name,
        variable.value,
      ]),
    );

    expect(env).toEqual({
      MONGODB_HOST: one('Service', 'mongodb').metadata.name,
      MONGODB_USERNAME: 'favorites',
      MONGODB_PASSWORD_FILE: '/run/secrets/api/password',
      FAVORITES_API_TOKEN_FILE: '/run/secrets/api-token/token',
      PUBLIC_DIAGNOSIS: 'false',
      ALLOWED_HOSTS: '.svc,.svc.cluster.local',
    });
    expect(podSpec(one('Deployment', 'favorites')).volumes).toContainEqual({
      name: 'api-password',
      secret: { secretName: 'favorites-api' },
    });
  });

  it('reachable by the whole cluster, the API needs its token on writes, from a Secret, and keeps the diagnosis private', () => {
    const api = one('Deployment', 'favorites');
    const [container] = containers(api);
    const env = Object.fromEntries(
      container.env.map((variable: { name: string; value: string }) => [variable.name, variable.value]),
    );

    expect(env).toMatchObject({ FAVORITES_API_TOKEN_FILE: '/run/secrets/api-token/token', PUBLIC_DIAGNOSIS: 'false' });
    expect(podSpec(api).volumes).toContainEqual({ name: 'api-token', secret: { secretName: 'favorites-api-token' } });
    expect(container.volumeMounts).toContainEqual({
      name: 'api-token',
      mountPath: '/run/secrets/api-token',
      readOnly: true,
    });
  });

  it('MongoDB is one replica on a PersistentVolumeClaim, replaced (Recreate) rather than doubled', () => {
    const mongodb = one('Deployment', 'mongodb');
    const claim = one('PersistentVolumeClaim', 'mongodb-data');

    expect(mongodb.spec.replicas).toBe(1);
    expect(mongodb.spec.strategy).toEqual({ type: 'Recreate' });
    expect(podSpec(mongodb).volumes).toContainEqual({
      name: 'data',
      persistentVolumeClaim: { claimName: claim.metadata.name },
    });
    expect(containers(mongodb)[0].volumeMounts).toContainEqual({ name: 'data', mountPath: '/data/db' });
  });

  it("the NetworkPolicy lets only the API's pods (the API and its database-user Job) reach MongoDB, on 27017", () => {
    const policy = one('NetworkPolicy', 'mongodb-from-api-only');
    const podLabels = (workload: K8sObject) => workload.spec.template.metadata.labels;
    const allowed = (workload: K8sObject) =>
      policy.spec.ingress.some((rule: any) =>
        rule.from.some((peer: any) => peer.podSelector && matches(peer.podSelector.matchLabels, podLabels(workload))),
      );

    expect(
      all('NetworkPolicy').filter(
        (other) => other.spec.ingress && other.spec.podSelector.matchLabels['app.kubernetes.io/name'] === 'mongodb',
      ),
    ).toEqual([policy]);
    expect(matches(policy.spec.podSelector.matchLabels, podLabels(one('Deployment', 'mongodb')))).toBe(true);
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    expect(policy.spec.ingress.flatMap((rule: any) => rule.from.map((peer: any) => Object.keys(peer)))).toEqual([
      ['podSelector'],
    ]);
    expect(policy.spec.ingress.flatMap((rule: any) => rule.ports)).toEqual([{ protocol: 'TCP', port: 27017 }]);
    expect(
      workloads()
        .filter(allowed)
        .map((workload) => workload.metadata.name)
        .sort(),
    ).toEqual(['database-user', 'favorites']);
  });

  it('every image is a variable that compose/.env (or the API build) fills: no pin lives in k8s/', () => {
    const written = files.flatMap((file) =>
      [...readFileSync(join(K8S_DIR, file), 'utf8').matchAll(/^\s*image:\s*(\S+)/gm)].map((match) => match[1]),
    );

    expect(new Set(written)).toEqual(new Set(['${FAVORITES_MONGO_IMAGE}', '${FAVORITES_API_IMAGE}']));
  });

  it('the API and its Job run as a non-root user, read-only, without capabilities or privilege escalation', () => {
    for (const workload of [one('Deployment', 'favorites'), one('Job', 'database-user')]) {
      expect(podSpec(workload).securityContext.runAsNonRoot).toBe(true);
      for (const container of containers(workload)) {
        expect(container.securityContext).toEqual({
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        });
      }
    }
  });

  it('every pod runs as a non-root user under seccomp RuntimeDefault, with no service-account token', () => {
    expect(
      workloads()
        .map((workload) => workload.metadata.name)
        .sort(),
    ).toEqual(['database-user', 'favorites', 'mongodb']);
    for (const workload of workloads()) {
      const pod = podSpec(workload);

      expect({ name: workload.metadata.name, automount: pod.automountServiceAccountToken }).toEqual({
        name: workload.metadata.name,
        automount: false,
      });
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    }
  });

  it('MongoDB runs as its image user (999), read-only but for its volumes, without capabilities or privilege escalation, limited', () => {
    const mongodb = one('Deployment', 'mongodb');
    const [container] = containers(mongodb);

    expect(podSpec(mongodb).securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, fsGroup: 999 });
    expect(container.securityContext).toEqual({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    expect(podSpec(mongodb).volumes).toContainEqual({ name: 'tmp', emptyDir: { medium: 'Memory' } });
    for (const workload of workloads()) expect(containers(workload)[0].resources.limits.memory).toBeTruthy();
  });

  describe('network policies: deny by default, allow what each pod needs', () => {
    const policiesFor = (workload: K8sObject, type: 'Ingress' | 'Egress') =>
      all('NetworkPolicy').filter(
        (policy) =>
          policy.spec.policyTypes.includes(type) &&
          matches(policy.spec.podSelector.matchLabels, workload.spec.template.metadata.labels),
      );
    const egress = (name: string) =>
      policiesFor(one(name === 'database-user' ? 'Job' : 'Deployment', name), 'Egress').flatMap(
        (policy) => policy.spec.egress ?? [],
      );
    const DNS = {
      to: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
          podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
        },
      ],
      ports: [
        { protocol: 'UDP', port: 53 },
        { protocol: 'TCP', port: 53 },
      ],
    };
    const TO_MONGODB = {
      to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'mongodb' } } }],
      ports: [{ protocol: 'TCP', port: 27017 }],
    };

    it("a default deny, both ways, covers every pod of the project (and no one else's)", () => {
      const deny = one('NetworkPolicy', 'favorites-default-deny');

      expect(deny.spec).toEqual({
        podSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'favorites' } },
        policyTypes: ['Ingress', 'Egress'],
      });
      for (const workload of workloads()) {
        expect(policiesFor(workload, 'Ingress')).toContainEqual(deny);
        expect(policiesFor(workload, 'Egress')).toContainEqual(deny);
      }
    });

    it('the API and its Job may reach DNS and MongoDB; only the API also reaches HTTPS outside the private ranges (SWAPI)', () => {
      const https = {
        to: [
          {
            ipBlock: {
              cidr: '0.0.0.0/0',
              except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16'],
            },
          },
        ],
        ports: [{ protocol: 'TCP', port: 443 }],
      };

      expect(egress('database-user')).toEqual([DNS, TO_MONGODB]);
      expect(egress('favorites')).toEqual([DNS, TO_MONGODB, https]);
    });

    it('MongoDB calls nothing; it is reached on 27017 only, and the API on 3000 only', () => {
      const ingress = (workload: K8sObject) =>
        policiesFor(workload, 'Ingress').flatMap((policy) =>
          (policy.spec.ingress ?? []).flatMap((rule: any) => rule.ports),
        );

      expect(egress('mongodb')).toEqual([]);
      expect(ingress(one('Deployment', 'mongodb'))).toEqual([{ protocol: 'TCP', port: 27017 }]);
      expect(ingress(one('Deployment', 'favorites'))).toEqual([{ protocol: 'TCP', port: 3000 }]);
      expect(ingress(one('Job', 'database-user'))).toEqual([]);
    });
  });
});
