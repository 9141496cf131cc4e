import os from 'node:os';
import { withContext } from './cli-context';
import { AppError } from '../src/errors';

/**
 * npm run job -- <name> [period]   run one job for a period (default: the latest due), like POST /api/v1/jobs/:name/run
 * npm run job -- --due              what the scheduler does at start: every job's latest due period, once across instances
 * npm run job -- --list             the jobs, their last and next runs
 * Exit code: 0 done, 2 the job failed, 3 refused (not due, running elsewhere), 1 usage or start-up error.
 */
const args = process.argv.slice(2);
const usage = 'usage: npm run job -- <name> [period] | --due | --list\n';

withContext(async (ctx) => {
  if (args[0] === '--list') {
    process.stdout.write(`${JSON.stringify(await ctx.jobs.list(), null, 2)}\n`);
    return 0;
  }
  if (args[0] === '--due') {
    const outcomes = await ctx.jobs.catchUp();
    process.stdout.write(`${JSON.stringify(outcomes)}\n`);
    return Object.values(outcomes).some((o) => o.ran && o.run.status === 'failed') ? 2 : 0;
  }
  if (!args[0] || args.length > 2 || args[0].startsWith('-')) {
    process.stderr.write(usage);
    return 1;
  }
  try {
    const run = await ctx.jobs.runManual({ id: null, username: `cli:${os.userInfo().username}` }, args[0], args[1]);
    process.stdout.write(`${JSON.stringify(run)}\n`);
    return run.status === 'succeeded' ? 0 : 2;
  } catch (err) {
    if (err instanceof AppError) {
      const details = Array.isArray(err.details) ? ` ${err.details.map((d: { message?: string }) => d.message).join('; ')}` : '';
      process.stderr.write(`${err.code}: ${err.message}${details}\n`);
      return err.status === 404 || err.status === 400 ? 1 : 3;
    }
    throw err;
  }
}).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`job failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
