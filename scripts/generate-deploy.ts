// `pnpm generate:deploy`: writes deploy/k8s/services.yaml from scripts/deploy/service-table.ts.
import { writeFileSync } from 'node:fs';
import { renderServicesYaml } from './deploy/manifests';

writeFileSync(new URL('../deploy/k8s/services.yaml', import.meta.url), renderServicesYaml());
process.stdout.write('wrote deploy/k8s/services.yaml\n');
