import { NationalityClass } from '../../../entities/Customer';
import type { ImportRowError } from '../../../entities/CustomerImport';
import { ValidationError } from '../../../errors';
import { xmlForbiddenReason } from '../../../lib/xml-safe';
import type { CustomerService, PersonalData } from '../customer.service';
import { ColumnIndex, ImportColumn } from './columns';

/** A row that passed validation: plain fields, and personal fields normalised (still in clear, in memory only). */
export interface ValidRow {
  row: number;
  name: string;
  unit: string;
  nationality: NationalityClass;
  notes: string | null;
  personal: PersonalData;
}

const MAX: Partial<Record<ImportColumn, number>> = { name: 100, unit: 200, idNumber: 30, employer: 200, email: 200, emergencyContact: 200, notes: 4000 };
const DOMESTIC = new Set(['domestic', 'd', '國內', '国内', '境內', '境内', '內地', '内地', '中國', '中国', '本地']);
const FOREIGN = new Set(['foreign', 'f', '國外', '国外', '境外', '外籍', '外國', '外国']);
const PHONE_SPLIT = /[;；/／、]/;

/**
 * Validates one data row with the same rules as the API (CustomerService.normalise). The
 * messages say what is wrong and where, never the value (R-SECRET: the errors are stored and
 * returned).
 */
export function validateRow(customers: CustomerService, index: ColumnIndex, width: number, row: number, cells: string[]): { ok: true; value: ValidRow } | { ok: false; errors: ImportRowError[] } {
  const errors: ImportRowError[] = [];
  const get = (c: ImportColumn): string => {
    const i = index[c];
    // Undo our exports' formula guard (a ' before = + - @), so an export imports back unchanged.
    return i === undefined ? '' : (cells[i] ?? '').trim().replace(/^'(?=[=+\-@])/, '');
  };
  for (let i = width; i < cells.length; i++) {
    if ((cells[i] ?? '').trim()) {
      errors.push({ row, column: null, message: `more values than header columns (column ${i + 1})` });
      break;
    }
  }
  // As the API refuses them (src/api/validate.ts): a control character, U+FFFE/U+FFFF or a lone
  // surrogate in a stored field would make every XLSX that shows it unreadable (the export).
  for (const col of Object.keys(index) as ImportColumn[]) {
    const reason = xmlForbiddenReason(get(col));
    if (reason) errors.push({ row, column: col, message: reason });
  }
  for (const [col, max] of Object.entries(MAX) as [ImportColumn, number][]) {
    if (get(col).length > max) errors.push({ row, column: col, message: `longer than ${max} characters` });
  }
  const name = get('name');
  const unit = get('unit');
  if (!name) errors.push({ row, column: 'name', message: 'required' });
  if (!unit) errors.push({ row, column: 'unit', message: 'required' });
  let nationality: NationalityClass = 'domestic';
  const nat = get('nationality').toLowerCase();
  if (nat) {
    if (FOREIGN.has(nat)) nationality = 'foreign';
    else if (!DOMESTIC.has(nat)) errors.push({ row, column: 'nationality', message: 'must be domestic or foreign' });
  }
  const phones = get('phones')
    .split(PHONE_SPLIT)
    .map((p) => p.trim())
    .filter(Boolean);
  if (phones.length > 5) errors.push({ row, column: 'phones', message: 'at most 5 phone numbers' });
  if (phones.some((p) => p.length < 3 || p.length > 40)) errors.push({ row, column: 'phones', message: 'a phone number has 3 to 40 characters' });
  if (errors.length) return { ok: false, errors };
  try {
    const n = customers.normalise(
      { name, unit, nationality, phones, idNumber: get('idNumber') || null, employer: get('employer') || null, email: get('email') || null, emergencyContact: get('emergencyContact') || null, notes: get('notes') || null },
      'row',
    );
    return {
      ok: true,
      value: {
        row,
        name,
        unit,
        nationality,
        notes: n.notes ?? null,
        personal: { phones: n.phones, idNumber: n.idNumber ?? null, employer: n.employer ?? null, email: n.email ?? null, emergencyContact: n.emergencyContact ?? null },
      },
    };
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    const issues = (err.details as { path: string; message: string }[]) ?? [];
    return { ok: false, errors: issues.map((i) => ({ row, column: i.path.split('.')[1] ?? null, message: i.message })) };
  }
}
