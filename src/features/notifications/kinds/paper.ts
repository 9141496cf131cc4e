import { defineKinds, MessageParams } from '../message';

/**
 * Message kinds of the paper side: print requests and controlled copies (R-PRINT-APPROVE,
 * R-NO-PAPER, R-NO-LEND), the two-person confirmations of returns and destructions, the
 * developer's handover files (R-HANDOVER-HOLD, R-HANDOVER-DESTROY) and external releases
 * (R-EXTERNAL). See ../message.ts.
 *
 * Params are identifiers only: request/release/confirmation/file ids, serials, the project code,
 * usernames of employees, counts and local times already formatted by the writer ("2026-12-07
 * 08:30 (Asia/Taipei)"). Never a purpose, a note, a recipient, a file name or a reason: they are
 * free text and may quote a customer.
 */

const s = (p: MessageParams, k: string): string => String(p[k] ?? '');

/** What a two-person confirmation is about (the `act` param), per language. */
const ACT_ZH: Record<string, { what: string; role: string }> = {
  copy_destruction: { what: '受控文件銷毀', role: '監銷人' },
  copy_return: { what: '受控文件歸還', role: '保管人' },
  handover_destruction: { what: '移交檔案銷毀', role: '監銷人' },
};
const ACT_EN: Record<string, { what: string; role: string }> = {
  copy_destruction: { what: 'the destruction of controlled copy', role: 'witness' },
  copy_return: { what: 'the return to you of controlled copy', role: 'keeper' },
  handover_destruction: { what: 'the destruction of handover file', role: 'witness' },
};
const actZh = (p: MessageParams) => ACT_ZH[s(p, 'act')] ?? { what: '雙人確認', role: '確認人' };
const actEn = (p: MessageParams) => ACT_EN[s(p, 'act')] ?? { what: 'the two-person act on', role: 'confirmer' };

/** The page of a confirmation's record: the copy, or (handover files) the witness's list / the file. */
const confirmationLink = (p: MessageParams, handoverPage: string): string => (s(p, 'act') === 'handover_destruction' ? handoverPage : `/copies/${s(p, 'serial')}`);
const handoverFileId = (p: MessageParams): string => s(p, 'serial').replace(/^HF-/, '');

export const paperKinds = defineKinds([
  // ---- print requests (R-PRINT-APPROVE) ---------------------------------------------------
  {
    kind: 'print_request.pending',
    title: { 'zh-Hant': '列印申請待核准', en: 'Print request to approve' },
    action: true,
    text: {
      'zh-Hant': (p) => ({
        subject: `列印申請 #${s(p, 'requestId')} 待您核准（專案 ${s(p, 'project')}）`,
        body: `${s(p, 'requester')} 提出列印申請 #${s(p, 'requestId')}（專案 ${s(p, 'project')}，${s(p, 'copies')} 份，使用 ${s(p, 'usageDays')} 天）。請核准或駁回；申請人不得核准自己的申請。`,
      }),
      en: (p) => ({
        subject: `Print request #${s(p, 'requestId')} awaits your approval (project ${s(p, 'project')})`,
        body: `${s(p, 'requester')} asked to print ${s(p, 'copies')} controlled copy/copies for ${s(p, 'usageDays')} day(s) in project ${s(p, 'project')} (request #${s(p, 'requestId')}). Approve or reject it; nobody decides their own request (R-PRINT-APPROVE).`,
      }),
    },
    link: () => '/print-requests',
    sample: { requestId: 42, project: 'P01', requester: 'staff1', copies: 2, usageDays: 7 },
  },
  {
    kind: 'print_request.approved',
    title: { 'zh-Hant': '列印申請已核准', en: 'Print request approved' },
    action: false,
    text: {
      'zh-Hant': (p) => ({
        subject: `列印申請 #${s(p, 'requestId')} 已核准`,
        body: `${s(p, 'approver')} 已核准您的列印申請 #${s(p, 'requestId')}（專案 ${s(p, 'project')}），發出 ${s(p, 'copies')} 份受控文件。請簽收；使用期滿後須歸還保管人或在監銷人見證下銷毀，不得轉借。`,
      }),
      en: (p) => ({
        subject: `Print request #${s(p, 'requestId')} approved`,
        body: `${s(p, 'approver')} approved your print request #${s(p, 'requestId')} (project ${s(p, 'project')}): ${s(p, 'copies')} controlled copy/copies issued. Sign for them; when the usage period ends, return them to a keeper or destroy them before a witness, and never pass them on (R-NO-PAPER, R-NO-LEND).`,
      }),
    },
    link: () => '/copies',
    sample: { requestId: 42, project: 'P01', approver: 'pm1', copies: 2 },
  },
  {
    kind: 'print_request.rejected',
    title: { 'zh-Hant': '列印申請遭駁回', en: 'Print request rejected' },
    action: false,
    text: {
      'zh-Hant': (p) => ({
        subject: `列印申請 #${s(p, 'requestId')} 遭駁回`,
        body: `${s(p, 'approver')} 駁回了您的列印申請 #${s(p, 'requestId')}（專案 ${s(p, 'project')}）。駁回理由記載於申請中。`,
      }),
      en: (p) => ({
        subject: `Print request #${s(p, 'requestId')} rejected`,
        body: `${s(p, 'approver')} rejected your print request #${s(p, 'requestId')} (project ${s(p, 'project')}). The reason is on the request.`,
      }),
    },
    link: () => '/print-requests',
    sample: { requestId: 42, project: 'P01', approver: 'pm1' },
  },

  // ---- two-person confirmations (R-NO-PAPER, R-HANDOVER-DESTROY) -------------------------
  {
    kind: 'confirmation.requested',
    title: { 'zh-Hant': '待您確認（監銷／保管）', en: 'Waiting for your confirmation (witness / keeper)' },
    action: true,
    text: {
      'zh-Hant': (p) => ({
        subject: `請確認${actZh(p).what} ${s(p, 'serial')}`,
        body: `${s(p, 'requester')} 登記了${actZh(p).what} ${s(p, 'serial')}（專案 ${s(p, 'project')}），並指定您為${actZh(p).role}。請於 ${s(p, 'dueAt')} 前以您本人的登入確認，或附理由拒絕；確認前此事未完成。`,
      }),
      en: (p) => ({
        subject: `Please confirm ${actEn(p).what} ${s(p, 'serial')}`,
        body: `${s(p, 'requester')} recorded ${actEn(p).what} ${s(p, 'serial')} of project ${s(p, 'project')} and named you as its ${actEn(p).role}. Confirm it, or decline it with a reason, from your own session by ${s(p, 'dueAt')}. Until then it is not done (R-NO-PAPER, R-HANDOVER-DESTROY).`,
      }),
    },
    link: (p) => confirmationLink(p, '/handover/witness'),
    sample: { confirmationId: 7, act: 'copy_destruction', serial: 'CC-2612-00001', project: 'P01', requester: 'staff1', dueAt: '2026-12-07 08:30 (Asia/Taipei)' },
  },
  {
    kind: 'confirmation.declined',
    title: { 'zh-Hant': '確認遭拒絕', en: 'Confirmation declined' },
    action: false,
    text: {
      'zh-Hant': (p) => ({
        subject: `${actZh(p).what}未獲確認 ${s(p, 'serial')}`,
        body: `${s(p, 'confirmer')} 拒絕確認${actZh(p).what} ${s(p, 'serial')}（專案 ${s(p, 'project')}，確認 #${s(p, 'confirmationId')}），理由記載於紀錄中。此事未完成：可確認時請重新登記。`,
      }),
      en: (p) => ({
        subject: `Not confirmed: ${actEn(p).what} ${s(p, 'serial')}`,
        body: `${s(p, 'confirmer')} declined to confirm ${actEn(p).what} ${s(p, 'serial')} of project ${s(p, 'project')} (confirmation ${s(p, 'confirmationId')}); the reason is on the record. Nothing was done: record it again once it can be confirmed.`,
      }),
    },
    link: (p) => confirmationLink(p, `/handover/${handoverFileId(p)}`),
    sample: { confirmationId: 7, act: 'handover_destruction', serial: 'HF-12', project: 'P01', confirmer: 'pm2' },
  },

  // ---- controlled copies (R-NO-PAPER: the usage period) ---------------------------------
  {
    kind: 'copy.expiring',
    title: { 'zh-Hant': '受控文件即將到期', en: 'Controlled copy about to expire' },
    action: false,
    text: {
      'zh-Hant': (p) => ({
        subject: `受控文件 ${s(p, 'serial')} 即將到期`,
        body: `受控文件 ${s(p, 'serial')}（專案 ${s(p, 'project')}）的使用期限於 ${s(p, 'expiresAt')} 屆滿。屆滿前請歸還保管人，或在監銷人見證下銷毀。`,
      }),
      en: (p) => ({
        subject: `Controlled copy ${s(p, 'serial')} expires soon`,
        body: `The usage period of controlled copy ${s(p, 'serial')} (project ${s(p, 'project')}) ends on ${s(p, 'expiresAt')}. Return it to a keeper or destroy it before a witness by then (R-NO-PAPER).`,
      }),
    },
    link: (p) => `/copies/${s(p, 'serial')}`,
    sample: { serial: 'CC-2612-00001', project: 'P01', expiresAt: '2026-12-07 08:30 (Asia/Taipei)' },
  },
  {
    kind: 'copy.overdue',
    title: { 'zh-Hant': '受控文件已逾期', en: 'Controlled copy overdue' },
    action: false,
    text: {
      'zh-Hant': (p) => ({
        subject: `受控文件 ${s(p, 'serial')} 已逾期`,
        body: `受控文件 ${s(p, 'serial')}（專案 ${s(p, 'project')}）的使用期限已於 ${s(p, 'expiresAt')} 屆滿，尚未歸還或銷毀。請歸還保管人，或在監銷人見證下銷毀。`,
      }),
      en: (p) => ({
        subject: `Controlled copy ${s(p, 'serial')} is overdue`,
        body: `Controlled copy ${s(p, 'serial')} (project ${s(p, 'project')}) passed its usage period on ${s(p, 'expiresAt')} and has been neither returned nor destroyed. Return it to a keeper or destroy it before a witness (R-NO-PAPER).`,
      }),
    },
    link: (p) => `/copies/${s(p, 'serial')}`,
    sample: { serial: 'CC-2612-00001', project: 'P01', expiresAt: '2026-12-05 08:30 (Asia/Taipei)' },
  },

  // ---- handover files (R-HANDOVER-HOLD, R-HANDOVER-DESTROY) -----------------------------
  {
    kind: 'handover.delegated',
    title: { 'zh-Hant': '移交檔案委派給您', en: 'Handover file delegated to you' },
    action: false,
    text: {
      'zh-Hant': (p) => ({
        subject: `移交檔案 ${s(p, 'serial')} 已委派給您檢視`,
        body: `${s(p, 'holder')} 將移交檔案 ${s(p, 'serial')}（專案 ${s(p, 'project')}）委派給您檢視，期限至 ${s(p, 'expiresAt')}。僅可檢視：不得下載、列印、複製或轉寄；錄入完成後請回報。`,
      }),
      en: (p) => ({
        subject: `Handover file ${s(p, 'serial')} delegated to you`,
        body: `${s(p, 'holder')} lets you view handover file ${s(p, 'serial')} of project ${s(p, 'project')} until ${s(p, 'expiresAt')}. View only: no download, print, copy or forward. Report the entry once the control data is entered (R-HANDOVER-HOLD).`,
      }),
    },
    link: () => '/handover/delegated',
    sample: { fileId: 12, serial: 'HF-12', project: 'P01', holder: 'pm1', expiresAt: '2026-12-12 10:00 (Asia/Taipei)' },
  },
  {
    kind: 'handover.destruction_due',
    title: { 'zh-Hant': '移交檔案銷毀期限將至', en: 'Handover file due for destruction' },
    action: false,
    text: {
      'zh-Hant': (p) => ({
        subject: `移交檔案 ${s(p, 'serial')} 須於 ${s(p, 'deadline')} 前銷毀`,
        body: `移交檔案 ${s(p, 'serial')}（專案 ${s(p, 'project')}）已確認錄入，銷毀期限為 ${s(p, 'deadline')}。請於期限前在監銷人見證下銷毀。`,
      }),
      en: (p) => ({
        subject: `Handover file ${s(p, 'serial')} is due for destruction by ${s(p, 'deadline')}`,
        body: `Handover file ${s(p, 'serial')} of project ${s(p, 'project')} was confirmed as entered; destroy it under supervision and with a witness by ${s(p, 'deadline')} (R-HANDOVER-DESTROY).`,
      }),
    },
    link: (p) => `/handover/${s(p, 'fileId')}`,
    sample: { fileId: 12, serial: 'HF-12', project: 'P01', deadline: '2026-12-07 10:00 (Asia/Taipei)' },
  },
  {
    kind: 'handover.destruction_overdue',
    title: { 'zh-Hant': '移交檔案逾期未銷毀', en: 'Handover file past its destruction deadline' },
    action: false,
    text: {
      'zh-Hant': (p) => ({
        subject: `移交檔案 ${s(p, 'serial')} 已逾銷毀期限`,
        body: `移交檔案 ${s(p, 'serial')}（專案 ${s(p, 'project')}）於 ${s(p, 'confirmedAt')} 確認錄入，應於 ${s(p, 'deadline')} 前銷毀。請儘速在監銷人見證下銷毀。`,
      }),
      en: (p) => ({
        subject: `Handover file ${s(p, 'serial')} is past its destruction deadline`,
        body: `Handover file ${s(p, 'serial')} of project ${s(p, 'project')} was confirmed as entered on ${s(p, 'confirmedAt')} and was due for destruction by ${s(p, 'deadline')}. Destroy it under supervision and with a witness (R-HANDOVER-DESTROY).`,
      }),
    },
    link: (p) => `/handover/${s(p, 'fileId')}`,
    sample: { fileId: 12, serial: 'HF-12', project: 'P01', confirmedAt: '2026-11-28 10:00 (Asia/Taipei)', deadline: '2026-12-05 10:00 (Asia/Taipei)' },
  },
  {
    kind: 'handover.delegation_expired',
    title: { 'zh-Hant': '移交檔案委派逾期未撤銷', en: 'Handover file delegation expired, not revoked' },
    action: false,
    text: {
      'zh-Hant': (p) => ({
        subject: `移交檔案 ${s(p, 'serial')} 的檢視委派已逾期未撤銷`,
        body: `移交檔案 ${s(p, 'serial')}（專案 ${s(p, 'project')}）的委派 ${s(p, 'delegations')} 已於 ${s(p, 'expiredAt')} 起逾期。請撤銷以記錄存取結束。`,
      }),
      en: (p) => ({
        subject: `View access to handover file ${s(p, 'serial')} has expired and was not revoked`,
        body: `Handover file ${s(p, 'serial')} of project ${s(p, 'project')}: delegation(s) ${s(p, 'delegations')} expired (the first on ${s(p, 'expiredAt')}). Revoke them to record the end of the access (R-HANDOVER-HOLD).`,
      }),
    },
    link: (p) => `/handover/${s(p, 'fileId')}`,
    sample: { fileId: 12, serial: 'HF-12', project: 'P01', delegations: '3, 4', expiredAt: '2026-12-04 10:00 (Asia/Taipei)' },
  },

  // ---- external releases (R-EXTERNAL) ---------------------------------------------------
  {
    kind: 'release.pending',
    title: { 'zh-Hant': '對外提供待核准', en: 'External release to approve' },
    action: true,
    text: {
      'zh-Hant': (p) => ({
        subject: `對外提供申請 #${s(p, 'releaseId')} 待您核准（專案 ${s(p, 'project')}）`,
        body: `${s(p, 'requester')} 申請將專案 ${s(p, 'project')} 的客戶資料對外提供（申請 #${s(p, 'releaseId')}，${s(p, 'format')}，${s(p, 'fields')} 個個資欄位）。須經總經理核准；請核准或駁回。`,
      }),
      en: (p) => ({
        subject: `External release #${s(p, 'releaseId')} awaits your approval (project ${s(p, 'project')})`,
        body: `${s(p, 'requester')} asks to release customer information of project ${s(p, 'project')} outside the company (release #${s(p, 'releaseId')}, ${s(p, 'format')}, ${s(p, 'fields')} personal field(s)). It needs the general manager's approval: approve or reject it (R-EXTERNAL).`,
      }),
    },
    link: () => '/admin/releases',
    sample: { releaseId: 5, project: 'P01', requester: 'itadmin1', format: 'xlsx', fields: 2 },
  },
  {
    kind: 'release.decided',
    title: { 'zh-Hant': '對外提供申請已決定', en: 'External release decided' },
    action: false,
    text: {
      'zh-Hant': (p) =>
        s(p, 'decision') === 'approved'
          ? { subject: `對外提供申請 #${s(p, 'releaseId')} 已核准`, body: `${s(p, 'decidedBy')} 已核准對外提供申請 #${s(p, 'releaseId')}（專案 ${s(p, 'project')}）。您可於 ${s(p, 'availableUntil')} 前下載一次。` }
          : { subject: `對外提供申請 #${s(p, 'releaseId')} 遭駁回`, body: `${s(p, 'decidedBy')} 駁回了對外提供申請 #${s(p, 'releaseId')}（專案 ${s(p, 'project')}）。` },
      en: (p) =>
        s(p, 'decision') === 'approved'
          ? {
              subject: `External release #${s(p, 'releaseId')} approved`,
              body: `${s(p, 'decidedBy')} approved external release #${s(p, 'releaseId')} (project ${s(p, 'project')}). You may download it once, until ${s(p, 'availableUntil')} (R-EXTERNAL).`,
            }
          : { subject: `External release #${s(p, 'releaseId')} rejected`, body: `${s(p, 'decidedBy')} rejected external release #${s(p, 'releaseId')} (project ${s(p, 'project')}).` },
    },
    link: () => '/admin/releases',
    sample: { releaseId: 5, project: 'P01', decision: 'approved', decidedBy: 'gm1', availableUntil: '2026-12-06 10:00 (Asia/Taipei)' },
  },
]);
