import { MongoClient } from 'mongodb';
const c = new MongoClient('mongodb://127.0.0.1:40467/');
await c.connect();
const db = c.db('tally_bench_bmx4lvnvgc3f2');
const p = await db.collection('rollup_progress').find({}).toArray();
console.log(p.map((d) => `${d.partition}:${d.position}`).join(' '));
await c.close();
