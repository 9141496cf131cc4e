import { withContext } from './cli-context';
import { demoScope, seedDemo } from '../src/seed/demo';
import { ROLES } from '../src/policy/roles';

/** npm run seed:demo: the demo organisation (refused in production). */
withContext(async (ctx) => {
  const password = process.env.DEMO_PASSWORD || 'demo-password';
  const result = await seedDemo(ctx, password);
  for (const r of ROLES) {
    const name = `demo.${r.name}`;
    process.stdout.write(`${result.created.includes(name) ? 'created ' : 'exists  '} ${name.padEnd(24)} ${r.name} in ${demoScope(r.name)}\n`);
  }
  process.stdout.write(`Password for the demo users: ${process.env.DEMO_PASSWORD ? 'from DEMO_PASSWORD' : 'demo-password'}\n`);
}).catch((err) => {
  process.stderr.write(`seed:demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
