import { withContext } from './cli-context';
import { rotateKeys } from '../src/crypto/rotate';

/** npm run keys:rotate — DATA_KEY is the new key, DATA_KEYS_PREVIOUS holds the old one(s). */
withContext(async (ctx) => {
  const r = await rotateKeys(ctx);
  process.stdout.write(`re-encrypted under key "${r.to}": ${r.customers} customer records, ${r.surveyNotes} survey notes\n`);
}).catch((err) => {
  process.stderr.write(`keys:rotate failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
