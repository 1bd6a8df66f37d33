import { readFileSync } from 'node:fs';
import { addDays, parsePeriod, seededRandom } from '@tally/core';
import { prepareDemoAccess, type DemoLogin } from '@tally/auth';
import type { RunningPlatform } from './platform';

/**
 * Demo data for a first look: the Program 1719 sample catalog, and a half-year of reports from most
 * communes of Thái Nguyên (province 19 on the 2025 map), with values from a seeded generator.
 * Submission ids are fixed, so loading the demo again changes nothing.
 */
export const DEMO_CATALOG_URL = new URL('../../../data/demo/catalog-1719.json', import.meta.url);
export const DEMO_PROVINCE = '19';
export const DEMO_PERIOD = '2026S1';
export const DEMO_PREVIOUS_PERIOD = '2025S2';

export function demoCatalog(): unknown {
  return JSON.parse(readFileSync(DEMO_CATALOG_URL, 'utf8'));
}

export function demoValues(random: () => number): Array<{ dataElement: string; optionCombo?: string; value: number | boolean }> {
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const households = int(800, 3500);
  const em = Math.floor(households * (0.3 + random() * 0.6));
  const emPoor = Math.floor(em * (0.05 + random() * 0.25));
  const poor = emPoor + int(0, Math.floor((households - em) * 0.05));
  const boys = int(20, 90);
  const girls = int(20, 90);
  const population = households * int(3, 5);
  const allocated = [int(500, 4000), int(100, 900), int(0, 600)];
  return [
    { dataElement: 'HH_TOTAL', value: households },
    { dataElement: 'HH_POOR', value: poor },
    { dataElement: 'HH_EM', value: em },
    { dataElement: 'HH_EM_POOR', value: emPoor },
    { dataElement: 'HH_ELECTRICITY', value: households - int(0, Math.floor(households * 0.03)) },
    { dataElement: 'HH_CLEAN_WATER', value: households - int(0, Math.floor(households * 0.2)) },
    { dataElement: 'CHILDREN_5Y', optionCombo: 'MALE', value: boys },
    { dataElement: 'CHILDREN_5Y', optionCombo: 'FEMALE', value: girls },
    { dataElement: 'CHILDREN_5Y_PRESCHOOL', optionCombo: 'MALE', value: boys - int(0, 3) },
    { dataElement: 'CHILDREN_5Y_PRESCHOOL', optionCombo: 'FEMALE', value: girls - int(0, 3) },
    { dataElement: 'POP_TOTAL', value: population },
    { dataElement: 'POP_INSURED', value: population - int(0, Math.floor(population * 0.05)) },
    { dataElement: 'ROAD_PAVED', value: random() < 0.9 ? 1 : 0 },
    { dataElement: 'COMMUNE_REPORTING', value: 1 },
    { dataElement: 'CAPITAL_ALLOCATED', optionCombo: 'CENTRAL', value: allocated[0]! },
    { dataElement: 'CAPITAL_ALLOCATED', optionCombo: 'LOCAL', value: allocated[1]! },
    { dataElement: 'CAPITAL_ALLOCATED', optionCombo: 'CARRIED_OVER', value: allocated[2]! },
    { dataElement: 'CAPITAL_DISBURSED', optionCombo: 'CENTRAL', value: Math.floor(allocated[0]! * random()) },
    { dataElement: 'CAPITAL_DISBURSED', optionCombo: 'LOCAL', value: Math.floor(allocated[1]! * random()) },
    { dataElement: 'CAPITAL_DISBURSED', optionCombo: 'CARRIED_OVER', value: Math.floor(allocated[2]! * random()) },
  ];
}

/** An earlier estimate of the same figures: counts scaled by one factor in [0.9, 1] (so the rules still hold); flags kept. */
function estimateOf(values: ReturnType<typeof demoValues>, random: () => number): ReturnType<typeof demoValues> {
  const factor = 0.9 + random() * 0.1;
  const flags = new Set(['ROAD_PAVED', 'COMMUNE_REPORTING']);
  return values.map((v) => (typeof v.value === 'number' && !flags.has(v.dataElement) ? { ...v, value: Math.floor(v.value * factor) } : v));
}

export async function loadDemo(running: RunningPlatform, options: { share?: number } = {}): Promise<{ reports: number; logins: DemoLogin[] }> {
  const inject = running.app.inject.bind(running.app);
  const hierarchy = running.registry.forDate('2026-06-30');
  const communes = hierarchy.descendantsAtLevel(DEMO_PROVINCE, 'commune');
  // demo accounts (fresh random passwords, printed by main) and the tokens this loader sends
  const access = await prepareDemoAccess(running.auth.service, { province: DEMO_PROVINCE, commune: communes[0]!.code });
  const catalog = await inject({ method: 'PUT', url: '/api/v1/catalog', payload: demoCatalog() as object, headers: { 'x-tally-demo': '1', ...access.catalogHeaders } });
  if (catalog.statusCode >= 300) throw new Error(`demo catalog refused: ${catalog.body}`);
  const share = options.share ?? 0.8;
  let reports = 0;
  // the half-year before too (its own seed, so DEMO_PERIOD's figures stay as they were): the dashboard has a trend
  for (const [period, seed] of [[DEMO_PERIOD, 1719], [DEMO_PREVIOUS_PERIOD, 1718]] as const) {
    const random = seededRandom(seed);
    const estimating = seededRandom(seed + 1000);
    for (const commune of communes) {
      if (random() > share) continue;
      const values = demoValues(random);
      const send = async (payload: object) => {
        const response = await inject({ method: 'POST', url: '/api/v1/reports', payload: { template: 'M1719_S', orgUnit: commune.code, period, ...payload }, headers: access.reportHeaders });
        if (response.statusCode !== 202) throw new Error(`demo report for ${commune.code} refused: ${response.body}`);
      };
      // DEMO_PERIOD: an estimate first (a little lower), then the official figures, so both can be compared
      if (period === DEMO_PERIOD) await send({ submissionId: `demo-${commune.code}-${period}-estimate`, figures: 'estimate', values: estimateOf(values, estimating) });
      await send({ submissionId: `demo-${commune.code}-${period}`, values, ...(period === DEMO_PERIOD ? { figures: 'official', reason: 'số liệu chính thức' } : {}) });
      reports++;
    }
  }
  // a target the province misses, so the alerts screen has something to show
  const target = { indicator: 'POVERTY_RATE', orgUnit: DEMO_PROVINCE, period: DEMO_PERIOD, operator: '<=', value: 10 };
  const targetSet = await inject({ method: 'PUT', url: '/api/v1/targets', payload: target, headers: access.catalogHeaders });
  if (targetSet.statusCode >= 300) throw new Error(`demo target refused: ${targetSet.body}`);
  // the demo period's calendar replayed for the demo province: reminders 7, 3 and 1 days before each tier's
  // deadline to the units that have not reported, then the overdue notices (once each: a second start adds none)
  await running.waitUntilCaughtUp();
  const end = parsePeriod(DEMO_PERIOD)!.endDate;
  for (let day = 1; day <= 31; day++) {
    await running.notification.deadlines().runAt(new Date(`${addDays(end, day)}T02:00:00Z`), { within: DEMO_PROVINCE, templates: ['M1719_S'] });
  }
  return { reports, logins: access.logins };
}
