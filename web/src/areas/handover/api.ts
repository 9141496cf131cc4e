import { useQuery } from '@tanstack/react-query';
import { api, rawFetch, unwrap } from '../../api/client';
import type { operations } from '../../api/schema';
import { personLabel, type Person } from '../../shared/people';

/** The JSON success body of an operation (generated from the route's response schema). */
type Ok<O extends keyof operations, S extends number = 200> = operations[O]['responses'] extends Record<S, { content: { 'application/json': infer B } }> ? B : never;

export type FileList = Ok<'getApiV1HandoverFiles'>;
export type FileEntry = FileList['items'][number];
/** The holder's full view (delegations, entry, destruction request): what the holding lead sees. */
export type FileView = Ok<'postApiV1HandoverFilesIdConfirm'>;
export type FileMeta = Ok<'postApiV1HandoverFilesIdEntryConfirmation'>;
export type Delegation = FileView['delegations'][number];
export type MyDelegation = Ok<'getApiV1HandoverDelegations'>['items'][number];
export type Destruction = Ok<'getApiV1HandoverDestructionsId'>;
export type RowsView = Ok<'getApiV1HandoverFilesIdView'>;
export type FileStatus = FileMeta['status'];

export const STATUSES: FileStatus[] = ['held', 'entry_reported', 'pending_destruction', 'destroyed'];

/** Whether an entry is the holder's full view (the others see metadata only). */
export const isFullView = (f: FileEntry | FileMeta): f is FileView => 'delegations' in f;

/** One confirmation waiting for the caller (GET /api/v1/me/confirmations). */
export type MyConfirmation = Ok<'getApiV1MeConfirmations'>['items'][number];

export const keys = {
  list: (project: string, status: string | undefined, limit: number, offset: number) => ['handover', 'list', project, status ?? '', limit, offset] as const,
  file: (id: number) => ['handover', 'file', id] as const,
  clerks: (id: number) => ['handover', 'clerks', id] as const,
  destruction: (id: number) => ['handover', 'destruction', id] as const,
  mine: ['handover', 'mine'] as const,
  confirmations: ['handover', 'confirmations'] as const,
  view: (id: number, page: number, pageSize: number, sheet: number) => ['handover', 'view', id, page, pageSize, sheet] as const,
};

/** The caller's open view delegations (a clerk's list of what they may view now). */
export function useMyDelegations(enabled = true) {
  return useQuery({ queryKey: keys.mine, queryFn: async () => (await unwrap(api.GET('/api/v1/handover-delegations'))).items, enabled });
}

/** What waits for the caller's confirmation, handover destructions only. */
export function useMyConfirmations(enabled = true) {
  return useQuery({
    queryKey: keys.confirmations,
    queryFn: async () => (await unwrap(api.GET('/api/v1/me/confirmations'))).items.filter((c) => c.objectType === 'handover_file'),
    enabled,
  });
}

/** The project's clerks the holder may delegate to (only the holder asks: anyone else would be a recorded refusal). */
export function useClerks(fileId: number, enabled: boolean) {
  return useQuery({
    queryKey: keys.clerks(fileId),
    queryFn: async () => (await unwrap(api.GET('/api/v1/handover-files/{id}/clerks', { params: { path: { id: String(fileId) } } }))).items,
    enabled,
  });
}

/**
 * R-HANDOVER-HOLD: the file itself is the request body (the server types it by its content), the
 * name in ?name= (an API call, never a browser address).
 */
export async function uploadFile(project: string, file: File): Promise<FileView> {
  const q = new URLSearchParams({ project, name: file.name });
  const r = await rawFetch(`/api/v1/handover-files?${q}`, {
    method: 'POST',
    headers: { 'Content-Type': file.type || 'application/octet-stream' },
    body: file,
  });
  return (await r.json()) as FileView;
}

export type ContentView = { kind: 'rows'; body: RowsView } | { kind: 'pdf'; blob: Blob };

/** GET …/view: rows as JSON (XLSX, CSV) or the stamped PDF, told apart by the answer's type. Each call is an audit event. */
export async function fetchView(id: number, page: number, pageSize: number, sheet: number): Promise<ContentView> {
  const q = new URLSearchParams({ page: String(page), pageSize: String(pageSize), sheet: String(sheet) });
  const r = await rawFetch(`/api/v1/handover-files/${id}/view?${q}`, { method: 'GET' });
  if ((r.headers.get('Content-Type') ?? '').startsWith('application/pdf')) return { kind: 'pdf', blob: await r.blob() };
  return { kind: 'rows', body: (await r.json()) as RowsView };
}

/** A person's name from the lists at hand, else their number. */
export function nameOf(people: (Person | null | undefined)[], id: number | null | undefined): string {
  if (id === null || id === undefined) return '';
  const p = people.find((x) => x?.id === id);
  return p ? personLabel(p) : `#${id}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
