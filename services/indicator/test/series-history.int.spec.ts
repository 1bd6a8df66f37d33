// Integration: the validator's series history on the test run's MongoDB-wire server (FerretDB locally; testkit's
// global setup provides it).
import { describe, inject } from 'vitest';
import { createMongoReadStore } from '@tally/readstore';
import { uniqueSuffix } from '@tally/testkit/conformance';
import { describeSeriesHistory } from './series-history.cases';

const mongoUrl = inject('mongoUrl');

describe.skipIf(!mongoUrl)('series history on a real server', () => {
  describeSeriesHistory('MongoDB-wire server', async () => {
    const dbName = `hist_${uniqueSuffix()}`;
    const readStore = await createMongoReadStore({ url: mongoUrl, dbName });
    return {
      readStore,
      cleanup: async () => {
        await readStore.dropAll();
        await readStore.close();
      },
    };
  });
});
