import type { Expectation } from './env';
import { casesRows } from './cases.rows';
import { governanceRows } from './governance.rows';
import { handoverRows } from './handover.rows';
import { jobsRows } from './jobs.rows';
import { paperLedgerRows } from './paper-ledger.rows';
import { sanctionsRows } from './sanctions.rows';
import { assessmentsRows } from './assessments.rows';
import { inspectionsRows } from './inspections.rows';
import { peopleRows } from './people.rows';
import { workRows } from './work.rows';
import { notificationsRows } from './notifications.rows';
import { accessLogRows } from './access-log.rows';

/** Every feature area's rows; each area owns its file. */
export const MATRIX_ROWS: Array<Record<string, Expectation>> = [paperLedgerRows(), handoverRows(), jobsRows(), governanceRows(), casesRows(), sanctionsRows(), assessmentsRows(), inspectionsRows(), peopleRows(), workRows(), notificationsRows(), accessLogRows()];
