/**
 * The closed catalogue of error codes: every `code` an API error can carry
 * (`{"error":{"code","message","details"}}`), with its HTTP status and what it means. The error
 * classes in src/errors.ts accept only these codes (type `ErrorCode`), so a new code is added
 * here first; docs/errors.md and the OpenAPI document (components.schemas.ErrorCode) list the
 * same set, and test/api/error-codes.unit.test.ts checks that every code thrown in src is here
 * and that docs/errors.md lists them all.
 */
export const ERROR_CODES = {
  // ---- 400: the request is malformed -------------------------------------------------------
  validation_failed: { status: 400, meaning: 'Invalid input; details has one entry per field (path, message)' },
  invalid_json: { status: 400, meaning: 'The request body is not valid JSON' },
  bad_request: { status: 400, meaning: 'The request body could not be read (other body-parser failure)' },
  empty_file: { status: 400, meaning: 'An upload with an empty body' },
  upload_aborted: { status: 400, meaning: 'The upload was interrupted before it ended' },
  bad_encoding: { status: 400, meaning: 'A CSV file that is neither UTF-8 nor GB18030/GBK text' },
  invalid_csv: { status: 400, meaning: 'A CSV file that cannot be parsed (the line is in details)' },
  invalid_header: { status: 400, meaning: 'The header row of an import names unknown or missing columns' },
  not_xlsx: { status: 400, meaning: 'A file declared as XLSX is not a zip archive' },
  unsafe_xlsx: { status: 400, meaning: 'An XLSX file refused by the zip guard (bomb, too many entries, encrypted, path tricks...)' },
  no_such_sheet: { status: 400, meaning: 'The asked worksheet of a workbook does not exist' },
  invalid_pdf: { status: 400, meaning: 'The file is not a readable PDF (not a PDF, damaged, or encrypted)' },
  same_holder: { status: 400, meaning: 'A handover file transferred to the user who already holds it' },
  not_project_manager: { status: 400, meaning: 'A handover file transferred to someone who is not an active project manager of its project' },
  not_project_clerk: { status: 400, meaning: 'View access delegated to someone who is not an active information clerk of the project' },
  witness_is_destroyer: { status: 400, meaning: 'The witness of a destruction named is the person destroying' },
  witness_not_allowed: { status: 400, meaning: 'The witness named cannot witness a destruction in the scope' },

  // ---- 401: who is asking is not established ------------------------------------------------
  unauthenticated: { status: 401, meaning: 'No bearer token or session cookie was sent' },
  unauthorized: { status: 401, meaning: 'Authentication required' },
  invalid_token: { status: 401, meaning: 'The token is malformed or its signature does not verify' },
  token_expired: { status: 401, meaning: 'The token has expired: sign in again' },
  token_revoked: { status: 401, meaning: 'The token was revoked (signed out, password changed, or the user left)' },
  invalid_credentials: { status: 401, meaning: 'Wrong username or password, or no such active user' },

  // ---- 403: refused (each refusal is audited, R-AUDIT) --------------------------------------
  forbidden: { status: 403, meaning: 'The policy does not grant the permission in the resolved scope (details name it)' },
  agreement_required: { status: 403, meaning: 'The confidentiality agreement is not signed yet (R-ONBOARD)' },
  account_locked: { status: 403, meaning: 'The account is locked or not active (R-SCOPE)' },
  csrf_rejected: { status: 403, meaning: 'A change made with the session cookie lacked the console header or came from another origin' },
  self_grant_forbidden: { status: 403, meaning: 'Nobody changes their own role assignments' },
  not_visible: { status: 403, meaning: 'The record is not visible to the caller (neither a party to it nor a reader of its scope)' },
  not_recipient: { status: 403, meaning: 'Only the recipient of a controlled copy may do this (R-NO-PAPER)' },
  not_requester: { status: 403, meaning: 'Only the requester may do this (withdraw a request, download a release)' },
  own_request: { status: 403, meaning: 'Nobody approves their own request (R-PRINT-APPROVE)' },
  own_assessment: { status: 403, meaning: 'Whoever submitted a risk assessment does not review or approve it' },
  own_proposal: { status: 403, meaning: 'Nobody decides their own proposal' },
  own_sanction: { status: 403, meaning: 'Nobody decides on a reward or penalty that names themselves' },
  own_transfer: { status: 403, meaning: 'Nobody transfers a handover file to themselves' },
  no_lending: { status: 403, meaning: 'A controlled copy never changes holder (R-NO-LEND); the attempt is recorded' },
  no_forwarding: { status: 403, meaning: 'A handover file is never forwarded (R-HANDOVER-HOLD)' },
  not_holder: { status: 403, meaning: 'Only the holder of the record may do this' },
  not_holder_or_supervisor: { status: 403, meaning: 'Only the holder of the copy or a supervisor of its project may do this' },
  not_owner: { status: 403, meaning: 'Only the owner of the rectification records its progress' },
  not_confirmer: { status: 403, meaning: 'Only the witness or keeper named for a two-person act may confirm or decline it' },
  not_witness: { status: 403, meaning: 'Only the witness named for the destruction may confirm or decline it' },
  keeper_not_authorized: { status: 403, meaning: 'The keeper named for a return lacks controlled_copy:witness in the project' },
  witness_not_authorized: { status: 403, meaning: 'The witness named for a destruction lacks controlled_copy:witness in the project' },
  approval_limit_exceeded: { status: 403, meaning: "The amount exceeds the approver's limit (a higher approver decides)" },
  no_delegation: { status: 403, meaning: 'The handover file was not delegated to the caller' },
  delegation_revoked: { status: 403, meaning: 'The view access to the handover file was revoked' },
  delegation_expired: { status: 403, meaning: 'The view access to the handover file has expired' },

  // ---- 404, 410 ----------------------------------------------------------------------------
  not_found: { status: 404, meaning: 'No such record (or route)' },
  destroyed: { status: 410, meaning: 'The handover file was destroyed; details name the destruction record' },

  // ---- 409: the state of the record does not allow it (or a concurrent request won) ---------
  conflict: { status: 409, meaning: 'A concurrent request created the same record: reload and try again' },
  state_changed: { status: 409, meaning: 'The record changed meanwhile (a concurrent request won): reload' },
  already_exists: { status: 409, meaning: 'A record with that name or code exists' },
  already_archived: { status: 409, meaning: 'The record is archived already' },
  import_not_committable: { status: 409, meaning: 'A dry run that cannot be committed: not a finished dry run, all-or-nothing with row errors, already committed, or its file expired (details.reason)' },
  already_completed: { status: 409, meaning: 'The record is completed already' },
  chain_broken: { status: 409, meaning: 'The audit chain does not verify: no digest is signed over it (details name the first bad sequence)' },
  already_confirmed: { status: 409, meaning: 'The confirmation was given already' },
  already_declined: { status: 409, meaning: 'The confirmation was declined already' },
  already_delegated: { status: 409, meaning: 'View access is delegated already' },
  already_destroyed: { status: 409, meaning: 'The record is destroyed already' },
  already_granted: { status: 409, meaning: 'The grant exists already' },
  already_offboarded: { status: 409, meaning: 'The user has been offboarded already' },
  already_reopened: { status: 409, meaning: 'The record was reopened already' },
  assessment_exists: { status: 409, meaning: 'The risk assessment of that period exists' },
  assessment_not_draft: { status: 409, meaning: 'The risk assessment is no longer a draft' },
  assessment_not_submitted: { status: 409, meaning: 'The risk assessment has not been submitted' },
  cannot_offboard_self: { status: 409, meaning: 'Nobody offboards themselves' },
  clerk_only: { status: 409, meaning: 'Only the clerk the file is delegated to reports its entry' },
  confirmation_changed: { status: 409, meaning: 'The confirmation changed meanwhile: reload and try again' },
  confirmation_closed: { status: 409, meaning: 'The confirmation was closed when the record changed hands' },
  confirmation_expired: { status: 409, meaning: 'The confirmation lapsed: the act is recorded again' },
  confirmation_pending: { status: 409, meaning: 'A destruction or return awaits its witness or keeper: nothing else happens to the copy meanwhile' },
  copy_expired: { status: 409, meaning: 'The usage period of the controlled copy ended: return or destroy it' },
  copy_not_out: { status: 409, meaning: 'The controlled copy is not out with its recipient (it cannot be printed)' },
  delegation_ended: { status: 409, also: [403], meaning: 'The delegation has ended: revoking it again is 409; viewing the file through it is refused (403)' },
  destruction_pending: { status: 409, meaning: "The destruction awaits its witness's confirmation" },
  duplicate_asset_tag: { status: 409, meaning: 'An inventory item with that asset tag exists' },
  duplicate_customer: { status: 409, meaning: 'The customer exists already in the project' },
  duplicate_sanction: { status: 409, meaning: 'A pending or approved sanction of that kind and ground exists for the user and source' },
  entry_already_reported: { status: 409, meaning: 'The entry from the handover file has been reported already' },
  entry_not_reported: { status: 409, meaning: 'The entry from the handover file has not been reported yet' },
  findings_missing: { status: 409, meaning: 'Failed inspection items lack a rated finding' },
  holder_changed: { status: 409, meaning: 'The record passed to another holder meanwhile' },
  holdings_outstanding: { status: 409, meaning: 'The user still holds records (copies, files, items) and cannot leave yet (R-OFFBOARD)' },
  inspection_completed: { status: 409, meaning: 'The inspection is completed' },
  inspection_exists: { status: 409, meaning: 'The inspection of that period exists' },
  invalid_case_state: { status: 409, meaning: 'The complaint case is not in a state that allows the step (details: status, expected)' },
  item_has_findings: { status: 409, meaning: 'The inspection item has findings (only a failed item has findings)' },
  item_not_failed: { status: 409, meaning: 'The inspection item is not recorded as failed' },
  items_pending: { status: 409, meaning: 'Inspection items are not recorded yet' },
  job_running: { status: 409, meaning: 'The job is running for that period on an instance' },
  last_it_admin: { status: 409, meaning: 'The last active IT admin keeps the role until someone else holds it' },
  no_records: { status: 409, meaning: 'None of the records of the request exists any more' },
  not_approved: { status: 409, meaning: 'The record is not approved' },
  not_awaiting_signature: { status: 409, meaning: 'The controlled copy does not await its signature' },
  not_confirmed: { status: 409, meaning: 'The entry from the handover file has not been confirmed: destroying it earlier needs a reason' },
  not_destroyable: { status: 409, meaning: 'The record cannot be destroyed in its state' },
  not_downloadable: { status: 409, meaning: 'The release is not downloadable (already downloaded, expired or not approved)' },
  not_investigating: { status: 409, meaning: 'The incident is not under investigation' },
  not_pending: { status: 409, meaning: 'The record has been decided already' },
  not_reconciled: { status: 409, meaning: 'The survey note is not reconciled yet' },
  not_reportable: { status: 409, meaning: 'The controlled copy cannot be reported lost in its state' },
  not_reported: { status: 409, meaning: 'The incident is no longer awaiting investigation' },
  not_returnable: { status: 409, meaning: 'The controlled copy cannot be returned in its state' },
  nothing_to_confirm: { status: 409, meaning: 'No act awaiting confirmation was recorded' },
  owner_changed: { status: 409, meaning: 'The rectification was reassigned meanwhile' },
  release_expired: { status: 409, meaning: 'The download window of the release has closed' },
  requester_inactive: { status: 409, meaning: 'The requester is no longer an active user: reject the request' },
  too_many_records: { status: 409, meaning: 'The saved filter now matches too many records: reject and ask again' },
  user_offboarded: { status: 409, meaning: 'An offboarded account cannot be changed' },

  // ---- 413, 415, 422, 429 -------------------------------------------------------------------
  payload_too_large: { status: 413, meaning: 'The request body is larger than allowed' },
  unsupported_encoding: { status: 415, meaning: 'Unsupported request body encoding' },
  unsupported_media_type: { status: 415, meaning: 'An upload whose body is not the file itself (application/octet-stream or its own type)' },
  unsupported_file_type: { status: 415, meaning: 'The file name is not of an accepted type (.xlsx, .csv, .pdf)' },
  unrecognised_content: { status: 415, meaning: 'The file content is none of the accepted types' },
  content_mismatch: { status: 415, meaning: 'The file content is not of the type its name claims' },
  import_failed: { status: 422, meaning: 'The import failed; nothing was written (details say why)' },
  rate_limited: { status: 429, meaning: 'Too many login attempts from the address: wait a minute' },

  // ---- 5xx: never for client input ----------------------------------------------------------
  internal_error: { status: 500, meaning: 'An unexpected error; it has been logged' },
  service_unavailable: { status: 503, meaning: 'The database is unavailable; try again shortly' },
  storage_unavailable: { status: 503, meaning: 'The file store is unavailable; try again shortly' },
} as const satisfies Record<string, { status: number; meaning: string; also?: readonly number[] }>;

/** A code of the catalogue: the only codes an API error may carry. */
export type ErrorCode = keyof typeof ERROR_CODES;

export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as ErrorCode[];

/** The statuses a code is answered with (its own, and any other listed for it). */
export function statusesOf(code: ErrorCode): number[] {
  const e: { status: number; also?: readonly number[] } = ERROR_CODES[code];
  return [e.status, ...(e.also ?? [])];
}

export function isErrorCode(code: string): code is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_CODES, code);
}
