/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`, e.g. the bench's platform process with
 * TALLY_BENCH_PLATFORM_NODE_ARGS='--cpu-prof --cpu-prof-interval=500 --cpu-prof-dir=DIR'): self and total time
 * per function and per file, over a window of the profile so that start-up (tsx transpiling, migrations) is left
 * out.
 *
 *   tsx scripts/cpuprofile-summary.ts FILE.cpuprofile [--from-sec S] [--to-sec S] [--top N] [--timeline]
 *
 * Without --from-sec the window starts at the first second whose samples are mostly busy after the first idle
 * second (the platform waits for the bench between start-up and load); --timeline prints busy ms per second so
 * the window can be chosen by hand.
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

function shortUrl(url: string): string {
  if (url === '') return '(native)';
  const noScheme = url.replace(/^file:\/\//, '');
  const nm = noScheme.lastIndexOf('/node_modules/');
  if (nm >= 0) return 'node_modules/' + noScheme.slice(nm + '/node_modules/'.length).replace(/^\.pnpm\/[^/]+\/node_modules\//, '');
  const m = /\/(packages|services|scripts)\/.*$/.exec(noScheme);
  return m ? m[0].slice(1) : noScheme;
}

const file = process.argv[2];
if (!file) {
  console.error('usage: tsx scripts/cpuprofile-summary.ts FILE.cpuprofile [--from-sec S] [--to-sec S] [--top N] [--timeline]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const top = Number(arg('--top') ?? 40);
const byId = new Map<number, ProfileNode>();
const parent = new Map<number, number>();
for (const n of profile.nodes) byId.set(n.id, n);
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// sample times in seconds from the start of the profile
const times: number[] = [];
let t = 0;
for (const d of profile.timeDeltas) {
  t += d;
  times.push(t / 1e6);
}
const isIdle = (id: number): boolean => byId.get(id)?.callFrame.functionName === '(idle)';

const seconds = Math.ceil((profile.endTime - profile.startTime) / 1e6);
const busyMs = new Array<number>(seconds + 1).fill(0);
for (let i = 0; i < profile.samples.length; i++) {
  const dt = (profile.timeDeltas[i + 1] ?? 0) / 1e3;
  if (!isIdle(profile.samples[i]!)) busyMs[Math.floor(times[i]!)]! += dt;
}

function autoFrom(): number {
  let sawIdle = false;
  for (let s = 0; s < busyMs.length; s++) {
    if (busyMs[s]! < 200) sawIdle = true;
    else if (sawIdle && busyMs[s]! > 500) return s;
  }
  return 0;
}
const fromSec = arg('--from-sec') !== undefined ? Number(arg('--from-sec')) : autoFrom();
const toSec = arg('--to-sec') !== undefined ? Number(arg('--to-sec')) : Infinity;

if (process.argv.includes('--timeline')) {
  console.log('busy ms per second: ' + busyMs.map((ms, s) => `${s}:${Math.round(ms)}`).join(' '));
}

const selfByFn = new Map<string, number>();
const totalByFn = new Map<string, number>();
const selfByFile = new Map<string, number>();
const totalByFile = new Map<string, number>();
let windowMs = 0;
const add = (m: Map<string, number>, k: string, v: number): void => void m.set(k, (m.get(k) ?? 0) + v);

for (let i = 0; i < profile.samples.length; i++) {
  const at = times[i]!;
  if (at < fromSec || at >= toSec) continue;
  const id = profile.samples[i]!;
  if (isIdle(id)) continue;
  const dt = (profile.timeDeltas[i + 1] ?? 0) / 1e3;
  windowMs += dt;
  const leaf = byId.get(id)!.callFrame;
  add(selfByFn, `${leaf.functionName || '(anonymous)'} ${shortUrl(leaf.url)}:${leaf.lineNumber + 1}`, dt);
  add(selfByFile, shortUrl(leaf.url), dt);
  const fns = new Set<string>();
  const files = new Set<string>();
  for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
    const cf = byId.get(n)!.callFrame;
    if (cf.functionName === '(root)') continue;
    fns.add(`${cf.functionName || '(anonymous)'} ${shortUrl(cf.url)}:${cf.lineNumber + 1}`);
    files.add(shortUrl(cf.url));
  }
  for (const f of fns) add(totalByFn, f, dt);
  for (const f of files) add(totalByFile, f, dt);
}

// --callers NAME: where the self time of functions named NAME comes from (its nearest caller in the repo's code)
const callersOf = arg('--callers');
const selfByCaller = new Map<string, number>();
if (callersOf) {
  for (let i = 0; i < profile.samples.length; i++) {
    const at = times[i]!;
    if (at < fromSec || at >= toSec) continue;
    const id = profile.samples[i]!;
    if (byId.get(id)!.callFrame.functionName !== callersOf) continue;
    const chain: string[] = [];
    for (let n = parent.get(id); n !== undefined && chain.length < 3; n = parent.get(n)) {
      const cf = byId.get(n)!.callFrame;
      if (/\/(packages|services)\//.test(cf.url) && !cf.url.includes('node_modules')) chain.push(`${cf.functionName || '(anonymous)'} ${shortUrl(cf.url)}`);
    }
    add(selfByCaller, chain.join(' < '), (profile.timeDeltas[i + 1] ?? 0) / 1e3);
  }
}

const pct = (ms: number): string => ((100 * ms) / windowMs).toFixed(1).padStart(5) + '%';
function print(title: string, m: Map<string, number>): void {
  console.log(`\n${title}`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(v)} ${v.toFixed(0).padStart(7)} ms  ${k}`);
}
console.log(`window ${fromSec}-${Number.isFinite(toSec) ? toSec : 'end'} s of ${seconds} s: ${windowMs.toFixed(0)} ms busy`);
print('self time by function', selfByFn);
print('total time by function', totalByFn);
print('self time by file', selfByFile);
print('total time by file', totalByFile);
if (callersOf) print(`self time of ${callersOf} by caller`, selfByCaller);
