import type { WorkKind } from './workTypes';

/** The rectifications the user owns (supervision/MyRectificationsPage.tsx). */
const MY_RECTIFICATIONS = '/supervision/my-rectifications';

/** 'HF-12' -> '/handover/12'; any other serial (a controlled copy, CC-…) -> '/copies/CC-…'. */
function serialPath(serial: string): string {
  const hf = /^HF-(\d+)$/.exec(serial);
  return hf ? `/handover/${hf[1]}` : `/copies/${encodeURIComponent(serial)}`;
}

/**
 * Where one waiting record opens (work.service.ts says what each ref id is: a serial for copies
 * and handover files, a record id otherwise). Ids and serials only: never customer data in a URL.
 */
export function refPath(kind: WorkKind, id: string | number): string {
  const s = String(id);
  switch (kind) {
    case 'print_approval':
      return '/print-requests?view=queue';
    // A two-person confirmation names a copy (CC-…) or, for a handover destruction, a file (HF-…).
    case 'destruction_witness':
    case 'return_confirmation':
    case 'copies_held':
    case 'handover_due':
    case 'handover_delegation':
      return serialPath(s);
    // R-RISK-MONTHLY, R-INSPECT: the owner's own list, open to every signed-in user (an owner may
    // not read the assessment or inspection it came from); the id opens that action's dialog.
    case 'rectification':
      return `${MY_RECTIFICATIONS}?rectification=${encodeURIComponent(s)}`;
    case 'assessment_fill':
    case 'assessment_review':
      return `/supervision/assessments/${encodeURIComponent(s)}`;
    case 'inspection_open':
      return `/supervision/inspections/${encodeURIComponent(s)}`;
    case 'case_deadline':
      return `/cases/${encodeURIComponent(s)}`;
    case 'release_decision':
      return '/admin/releases';
    case 'sanction_decision':
      return '/supervision/sanctions';
  }
}

/** The list page where all of a kind can be seen (the card's "open" link). */
const KIND_LIST_PATH: Record<WorkKind, string> = {
  print_approval: '/print-requests?view=queue',
  destruction_witness: '/copies',
  return_confirmation: '/copies',
  copies_held: '/copies',
  handover_due: '/handover',
  handover_delegation: '/handover',
  rectification: MY_RECTIFICATIONS,
  assessment_fill: '/supervision/assessments',
  assessment_review: '/supervision/assessments',
  inspection_open: '/supervision/inspections',
  case_deadline: '/cases',
  release_decision: '/admin/releases',
  sanction_decision: '/supervision/sanctions',
};

/** The card's "open" link: a witness asked only about handover files goes to the handover list. */
export function listPath(kind: WorkKind, refs: ReadonlyArray<{ id: string | number }>): string {
  if (kind === 'destruction_witness' && refs.length > 0 && refs.every((r) => /^HF-\d+$/.test(String(r.id)))) return '/handover';
  return KIND_LIST_PATH[kind];
}
