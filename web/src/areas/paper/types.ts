import type { paths } from '../../api/schema';

type Json<P extends keyof paths, M extends 'get' | 'post'> = paths[P][M] extends { responses: { 200: { content: { 'application/json': infer R } } } }
  ? R
  : paths[P][M] extends { responses: { 201: { content: { 'application/json': infer R } } } }
    ? R
    : never;

/** One print request (GET /api/v1/print-requests/:id). */
export type PrintRequest = Json<'/api/v1/print-requests/{id}', 'get'>;
/** One controlled copy (GET /api/v1/copies/:serial). */
export type Copy = Json<'/api/v1/copies/{serial}', 'get'>;
/** One confirmation waiting for me (GET /api/v1/me/confirmations). */
export type Confirmation = Json<'/api/v1/me/confirmations', 'get'>['items'][number];
export type CopyStatus = Copy['status'];
export type RequestStatus = PrintRequest['status'];
/** A masked customer row of GET /api/v1/customers. */
export type CustomerRow = Json<'/api/v1/customers', 'get'> extends { items: (infer C)[] } ? C : never;

export const COPY_STATUSES: CopyStatus[] = [
  'awaiting_signature',
  'issued',
  'overdue',
  'pending_receipt',
  'pending_witness',
  'confirmation_expired',
  'returned',
  'destroyed',
  'lost',
];
export const REQUEST_STATUSES: RequestStatus[] = ['pending', 'approved', 'rejected', 'cancelled'];
export const DESTRUCTION_METHODS = ['shredding', 'pulping', 'burning', 'other'] as const;
