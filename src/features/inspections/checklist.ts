import requirementsDoc from '../../../docs/requirements.json';
import type { IndicatorKey } from '../indicators/indicator.views';

/**
 * R-INSPECT (§5.3.2): the checklist of the bimonthly project inspection.
 *
 * One row per requirement id of docs/requirements.json: either what the inspector checks in a
 * project and which figures of the service to show beside it, or why the requirement is not
 * inspected in a project. The clause and the requirement text are NOT repeated here: they come
 * from docs/requirements.json when a checklist is made, so the two cannot drift
 * (test/inspections/checklist.test.ts fails when an id is added there and not here, or the
 * other way round).
 */

export interface Requirement {
  id: string;
  clause: string;
  requirement: string;
  status: string;
}

/** The figures of src/features/indicators (the compiler keeps the keys below in step with them). */
export type { IndicatorKey };

export type ChecklistEntry =
  | { applies: true; checkZh: string; checkEn: string; indicators: IndicatorKey[] }
  | { applies: false; reason: string };

const check = (checkZh: string, checkEn: string, indicators: IndicatorKey[] = []): ChecklistEntry => ({ applies: true, checkZh, checkEn, indicators });
const notInProjects = (reason: string): ChecklistEntry => ({ applies: false, reason });

const CASE_PROCEDURE =
  'Part of the complaint-case procedure, not of the Confidentiality Rules whose application §5.3.2 inspects; followed through the case statistics (R-CASE-STATS).';

export const CHECKLIST: Record<string, ChecklistEntry> = {
  'R-SCOPE': check(
    '項目內使用客戶信息的每個人都有本人賬號、角色和範圍；沒有共用賬號，沒有系統外的客戶信息使用。',
    'Everyone in the project who uses customer information has their own account, role and scope; no shared accounts, no use outside the system.',
  ),
  'R-IT-PERMS': notInProjects('Roles are granted and revoked centrally by the IT admin (a company function), recorded in the audit trail and reviewed by auditors, not kept by a project.'),
  'R-INVENTORY': check(
    '項目持有的客戶信息（紙質檔案、電子文件、管控數據）已列入所屬部門的客戶信息清單，寫明保管人和存放位置，並已複核。',
    "The customer information the project holds (paper archives, electronic files, control data) is listed in its department's inventory with keeper and location, and has been reviewed.",
  ),
  'R-PRINT-APPROVE': check(
    '項目內每份紙質客戶信息都有經批准的打印申請（用途、記錄、份數），沒有自批申請。',
    'Every paper copy of customer information in the project comes from an approved print request (purpose, records, copies); nobody approved their own.',
    ['copies_issued'],
  ),
  'R-EXTERNAL': check(
    '沒有客戶信息未經總經理批准提供給公司外部（第三方）。',
    "No customer information went outside the company (to a third party) without the general manager's approval.",
    ['exports'],
  ),
  'R-SECRET': check(
    '客戶信息只有角色和範圍允許的人知悉；被拒絕的訪問嘗試已跟進。',
    'Customer information is known only to those whose role and scope allow it; refused access attempts have been followed up.',
    ['access_denied'],
  ),
  'R-CLASSES': check(
    '項目的客戶信息按紙質信息、電子信息、管控數據三類區分管理。',
    "The project's customer information is kept apart by class: paper, electronic, control data.",
  ),
  'R-NO-PAPER': check(
    '除客戶檔案外沒有台賬以外的紙質客戶信息；每份打印件有編號、「受控文件」標記、使用期限和接收人簽收，逾期件已收回。',
    'Apart from customer archives no paper copy exists outside the ledger; every copy has its serial, the 受控文件 mark, an expiry and the signature of its recipient; overdue copies have been recovered.',
    ['copies_issued', 'copies_overdue'],
  ),
  'R-NO-LEND': check(
    '受控文件在接收人手中（抽查），沒有轉借他人或帶出辦公區域。',
    'Controlled copies are with their recipients (spot check); none was passed to anyone else or taken out of the office area.',
    ['copies_overdue', 'copies_lost'],
  ),
  'R-HANDOVER-HOLD': check(
    '地產提供的電子版客戶資料只由項目負責人保管；授權信息員的只能查看且有期限，沒有打印、複製、轉發。',
    "The developer's electronic handover files are held by the project lead alone; the clerk's access is view-only and time-limited; nothing printed, copied or forwarded.",
    ['handover_delegations_expired'],
  ),
  'R-HANDOVER-DESTROY': check(
    '管控數據建立並確認後，電子版資料（項目負責人及信息員所持）已銷毀，由項目負責人監銷並記錄。',
    "Once the control data was built and confirmed, the electronic copies (the lead's and the clerk's) were destroyed under the lead's supervision, and recorded.",
    ['handover_pending_destruction', 'handover_past_deadline'],
  ),
  'R-SURVEY-REDACT': check(
    '訪談、普查的紙質信息已與管控數據核對；其他訴求歸檔時不含電話、工作單位等私密信息。',
    'Interview and census notes were reconciled into the control data; the archived requests hold no phone numbers, employers or other private details.',
  ),
  'R-CTRL-IT': notInProjects('The IT engineer of the quality department holds every permission on control data company-wide; that is set in the policy, not in a project.'),
  'R-CTRL-CLERK': check(
    '項目信息員維護管控數據，但不做客戶信息導入導出；查看明文均有理由。',
    "The project's information clerk maintains the control data but neither imports nor exports it; every reveal of clear values has a reason.",
    ['imports', 'exports', 'reveals'],
  ),
  'R-CTRL-STAFF': check(
    '其他人員只錄入、查看管控數據，沒有修改、刪除、導入、導出。',
    'Everyone else only enters and views control data: no updates, deletions, imports or exports.',
    ['access_denied'],
  ),
  'R-PORTS': check(
    '項目電腦的USB接口、刻錄光驅按部門風險評估的決定封閉，與登記一致。',
    "The USB ports and disc burners of the project's computers are sealed as the department's risk assessment decided, as registered.",
    ['ports_unsealed'],
  ),
  'R-ONBOARD': check('新員工在接觸客戶信息前已簽署保密協議。', 'New employees signed the confidentiality agreement before any access to customer information.'),
  'R-OFFBOARD': check(
    '離職人員已移交（受控文件歸還或銷毀、電子資料移交），賬號已註銷。',
    'Leavers handed over (controlled copies returned or destroyed, handover files passed on) and their accounts are closed.',
  ),
  'R-RISK-MONTHLY': check(
    '部門每月的客戶信息保密風險評估涵蓋本項目，發現的問題已按期整改。',
    "The department's monthly confidentiality risk assessment covers the project, and what it found was rectified by the due dates.",
    ['rectifications_overdue'],
  ),
  'R-INSPECT': check('上次檢查提出的整改已按期完成。', 'The rectifications assigned by the previous inspection were completed by their due dates.', ['rectifications_overdue']),
  'R-REWARD': notInProjects('Rewards are decided by the company on reports of leaks (§5.3.3); there is no project practice to inspect.'),
  'R-PENALTY': check(
    '沒有因疏忽泄露客戶信息或遺失書面客戶信息清單；發生的已報告為事件。',
    'No customer information leaked by negligence and no written customer-information list lost; any such event was reported as an incident.',
    ['copies_lost'],
  ),
  'R-LEDGER-FORM': check(
    '本項目的《客戶信息借閱、銷毀記錄表》完整，與實際借閱、銷毀一致。',
    "The project's Borrowing & Destruction Record Form (客戶信息借閱、銷毀記錄表) is complete and matches what was borrowed and destroyed.",
  ),
  'R-AUDIT': check(
    '本項目客戶信息的訪問、查看明文和被拒絕的操作均有記錄，異常已跟進。',
    "Accesses to the project's customer information, reveals of clear values and refused actions are recorded, and anomalies followed up.",
    ['reveals', 'access_denied'],
  ),
  'R-CASE-NO': notInProjects(CASE_PROCEDURE),
  'R-CASE-DEADLINE': notInProjects(CASE_PROCEDURE),
  'R-CASE-CHASE': notInProjects(CASE_PROCEDURE),
  'R-CASE-STATS': notInProjects(CASE_PROCEDURE),
  'R-CASE-SANCTION': notInProjects(CASE_PROCEDURE),
  'R-CASE-CONFIDENTIAL': check(
    '內部投訴處理單沒有交給客戶；投訴案件記錄按客戶信息保密管理。',
    'Internal complaint-case forms were never handed to customers; case records are kept as customer information.',
  ),
};

/** The requirements of docs/requirements.json, in their order. */
export const REQUIREMENTS: readonly Requirement[] = (requirementsDoc as { requirements: Requirement[] }).requirements;

export interface ChecklistLine {
  requirementId: string;
  clause: string;
  requirementText: string;
  checkZh: string;
  checkEn: string;
  indicators: IndicatorKey[];
}

/**
 * The checklist for a project: every requirement that applies to projects, in the order of
 * docs/requirements.json. A requirement without a row in CHECKLIST (only possible if the test
 * above was skipped) is still inspected, with its own text as what to check.
 */
export function projectChecklist(requirements: readonly Requirement[] = REQUIREMENTS): ChecklistLine[] {
  const lines: ChecklistLine[] = [];
  for (const r of requirements) {
    const entry = CHECKLIST[r.id];
    if (entry && !entry.applies) continue;
    lines.push({
      requirementId: r.id,
      clause: r.clause,
      requirementText: r.requirement,
      checkZh: entry?.checkZh ?? r.requirement,
      checkEn: entry?.checkEn ?? r.requirement,
      indicators: entry?.indicators ?? [],
    });
  }
  return lines;
}
