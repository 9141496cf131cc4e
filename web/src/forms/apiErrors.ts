import type { FormInstance } from 'antd';
import { useQueryClient, type QueryClient, type QueryKey } from '@tanstack/react-query';
import { ApiError } from '../api/errors';
import { feedback } from '../components/feedback';
import { core } from '../i18n/core';
import { translate } from '../i18n/messages';

type NamePath = (string | number)[];

export interface ApplyOptions {
  /** Where a detail path goes when the form's field is named differently: { 'phones.0': ['contacts', 0, 'phone'] }. */
  fieldMap?: Record<string, NamePath>;
  /** Codes that belong to one field: { invalid_credentials: 'currentPassword' } (the password page). */
  codeFields?: Record<string, string>;
  /** The record's queries to reload on a 409 (useReloadOnConflict()), so the user sees its current state. */
  reload?: ConflictReload;
}

/**
 * What a 409 reloads: the query keys showing the record (each a prefix: ['sanctions'] reloads every
 * page of the list). Made by useReloadOnConflict(); passed as `{ reload }` to applyApiErrors or showApiError.
 */
export interface ConflictReload {
  client: QueryClient;
  keys: readonly QueryKey[];
}

/**
 * The record's queries to reload when the server answers 409 (someone else acted first, the record
 * changed): the conflict message says "reloaded", and the page then shows the current state. Forms
 * keep what the user typed (only queries are reloaded).
 * `const reload = useReloadOnConflict(['inspection', id], ['inspections']);`
 * `onError: (err) => applyApiErrors(form, err, { reload })` or `onError: (err) => showApiError(err, { reload })`.
 */
export function useReloadOnConflict(...keys: QueryKey[]): ConflictReload {
  const client = useQueryClient();
  return { client, keys };
}

const isReload = (r: unknown): r is ConflictReload => typeof r === 'object' && r !== null && Array.isArray((r as ConflictReload).keys) && !!(r as ConflictReload).client;

/** A 409: the record is not in the state the action needs (someone else acted first, or it changed). */
export const isConflict = (err: unknown): err is ApiError => err instanceof ApiError && err.status === 409;

/** Reloads the record's queries if the error is a 409; true when it was one. */
export function reloadOnConflict(err: unknown, reload: ConflictReload | undefined): boolean {
  if (!isConflict(err)) return false;
  for (const queryKey of reload?.keys ?? []) void reload!.client.invalidateQueries({ queryKey });
  return true;
}

/** 'phones.0' -> ['phones', 0]. */
function namePath(path: string): NamePath {
  return path.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

const key = (n: NamePath) => n.join('.');

/**
 * Shows an API error on an antd Form (the typed input stays):
 * - 400: each detail beside its field (`body.name` -> name, `body.phones.0` -> ['phones', 0],
 *   `query.x` -> x); details with no such field in the form go into one message;
 * - 403: "no permission: <permission>" (or the refusal's own message);
 * - 409: the conflict message, and the record's queries (opts.reload) are reloaded;
 * - anything else: the error's message.
 * Returns true when every problem sits beside a field (nothing else was shown).
 * `onError: (err) => applyApiErrors(form, err)` in a useMutation.
 */
export function applyApiErrors(form: FormInstance | null, err: unknown, opts: ApplyOptions = {}): boolean {
  const { message } = feedback();
  reloadOnConflict(err, opts.reload);
  if (!(err instanceof ApiError)) {
    message.error(translate(core, 'genericError', { message: err instanceof Error ? err.message : String(err) }));
    return false;
  }
  if (form && opts.codeFields?.[err.code]) {
    form.setFields([{ name: namePath(opts.codeFields[err.code]), errors: [err.text] }]);
    return true;
  }
  if (err.status === 400 && form && Object.keys(err.fieldErrors).length) {
    // The form's registered fields (getFieldsError lists every one).
    const known = new Set(form.getFieldsError().map((f) => key(f.name as NamePath)));
    const fields: { name: NamePath; errors: string[] }[] = [];
    const rest: string[] = [];
    for (const [path, msg] of Object.entries(err.fieldErrors)) {
      const name = opts.fieldMap?.[path] ?? namePath(path);
      if (known.has(key(name))) fields.push({ name, errors: [msg] });
      else rest.push(`${path}: ${msg}`);
    }
    if (fields.length) form.setFields(fields);
    if (rest.length) message.error(`${translate(core, 'invalidInput')} ${rest.join('; ')}`);
    else if (fields.length) void form.scrollToField(fields[0].name);
    return rest.length === 0;
  }
  showApiError(err);
  return false;
}

/**
 * The message for an API error with no form: 403 names the permission, 409 the conflict (and the
 * record's queries, opts.reload, are reloaded). Not `onError: showApiError` when reloading:
 * `onError: (err) => showApiError(err, { reload })`.
 */
export function showApiError(err: unknown, opts?: { reload?: ConflictReload }): void;
/** As `onError: showApiError` (a mutation's variables come second: they are not options). */
export function showApiError(err: unknown, variables?: unknown): void;
export function showApiError(err: unknown, opts?: unknown): void {
  const { message } = feedback();
  const reload = (opts as { reload?: unknown } | null | undefined)?.reload;
  if (isReload(reload)) reloadOnConflict(err, reload);
  if (!(err instanceof ApiError)) {
    message.error(translate(core, 'genericError', { message: err instanceof Error ? err.message : String(err) }));
  } else if (err.status === 0) {
    message.error(translate(core, 'networkError'));
  } else if (err.status === 403 && err.code === 'forbidden' && err.permission) {
    message.error(translate(core, 'noPermissionNamed', { permission: err.permission }));
  } else if (err.status === 409) {
    message.warning(translate(core, 'conflict', { message: err.text }));
  } else if (err.status === 503 || err.status === 401) {
    // The retry banner / the sign-in page say it.
  } else {
    message.error(err.status === 400 ? `${translate(core, 'invalidInput')} ${Object.values(err.fieldErrors).join('; ') || err.text}` : err.text);
  }
}
