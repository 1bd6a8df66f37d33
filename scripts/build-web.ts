// `pnpm build:web`: builds the web app into web/dist with the stamp `pnpm start` checks (the Docker image runs it,
// so a read-only container never builds at start). `pnpm start` and `pnpm test` build it themselves when stale.
import { ensureWebBuild } from '../services/all-in-one/src/web-app/build';

const built = await ensureWebBuild((line) => process.stdout.write(`${line}\n`));
if (!built) process.stdout.write('web app build is up to date (web/dist)\n');
