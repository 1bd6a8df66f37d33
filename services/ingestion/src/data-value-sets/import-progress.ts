import { randomUUID } from 'node:crypto';
import type { ImportSummary } from '@tally/core';

/** How far an import is: values read from the file, then reports imported; the summary once done. */
export interface ImportProgress {
  id: string;
  /** who started it: only they (or a national account) may follow it */
  owner: string;
  phase: 'reading' | 'importing' | 'done' | 'failed';
  startedAt: string;
  valuesRead: number;
  reportsTotal: number;
  reportsDone: number;
  summary?: ImportSummary;
  error?: { code: string; message: string };
}

/**
 * The imports of this process, newest kept (a bounded list): `GET /dataValueSets/jobs/{id}` shows one while it
 * runs (async=true answers at once with its id) and after. In memory: a job is visible on the instance running it.
 */
export class ImportJobs {
  private readonly jobs = new Map<string, ImportProgress>();
  constructor(private readonly keep = 100) {}

  start(owner: string): ImportProgress {
    const job: ImportProgress = { id: randomUUID(), owner, phase: 'reading', startedAt: new Date().toISOString(), valuesRead: 0, reportsTotal: 0, reportsDone: 0 };
    this.jobs.set(job.id, job);
    while (this.jobs.size > this.keep) this.jobs.delete(this.jobs.keys().next().value!);
    return job;
  }

  get(id: string): ImportProgress | undefined {
    return this.jobs.get(id);
  }
}
