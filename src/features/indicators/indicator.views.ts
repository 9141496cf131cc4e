/**
 * What the indicators are (their keys, labels and the R-id each watches) and the shapes the
 * indicator service returns: the types assessments, inspections and rectifications share.
 */

/** The projects an indicator set covers: a department's projects (departmentId set), or one project. */
export interface IndicatorScope {
  departmentId?: number | null;
  projectIds: number[];
}

export interface Indicator {
  key: string;
  labelZh: string;
  labelEn: string;
  value: number;
  /** The R-id the indicator watches. */
  requirement: string;
}

type Def = Omit<Indicator, 'value'>;
/** The indicators the service computes, by key. */
export const DEFS = {
  copies_issued: { key: 'copies_issued', labelZh: '受控文件發放份數', labelEn: 'Controlled copies issued', requirement: 'R-NO-PAPER' },
  copies_overdue: { key: 'copies_overdue', labelZh: '逾期未歸還受控文件', labelEn: 'Controlled copies past their usage period', requirement: 'R-NO-PAPER' },
  copies_lost: { key: 'copies_lost', labelZh: '遺失受控文件', labelEn: 'Controlled copies reported lost', requirement: 'R-PENALTY' },
  copy_confirmations_expired: {
    key: 'copy_confirmations_expired',
    labelZh: '逾期未獲確認的受控文件銷毀或歸還',
    labelEn: 'Copy destructions and returns not confirmed by their witness or keeper in time',
    requirement: 'R-NO-PAPER',
  },
  handover_pending_destruction: {
    key: 'handover_pending_destruction',
    labelZh: '待銷毀的交付電子資料',
    labelEn: 'Handover files confirmed and awaiting destruction',
    requirement: 'R-HANDOVER-DESTROY',
  },
  handover_past_deadline: {
    key: 'handover_past_deadline',
    labelZh: '逾期未銷毀的交付電子資料',
    labelEn: 'Handover files past their destruction deadline',
    requirement: 'R-HANDOVER-DESTROY',
  },
  handover_delegations_expired: {
    key: 'handover_delegations_expired',
    labelZh: '過期未撤銷的查看授權',
    labelEn: 'View delegations past expiry and not revoked',
    requirement: 'R-HANDOVER-HOLD',
  },
  handover_confirmations_expired: {
    key: 'handover_confirmations_expired',
    labelZh: '逾期未經監銷確認的交付電子資料銷毀',
    labelEn: 'Handover file destructions not confirmed by their witness in time',
    requirement: 'R-HANDOVER-DESTROY',
  },
  imports: { key: 'imports', labelZh: '客戶信息導入次數', labelEn: 'Customer imports', requirement: 'R-CTRL-IT' },
  exports: { key: 'exports', labelZh: '客戶信息導出次數（含對外提供）', labelEn: 'Customer exports (external releases included)', requirement: 'R-EXTERNAL' },
  reveals: { key: 'reveals', labelZh: '查看客戶私密信息次數', labelEn: 'Reveals of personal fields', requirement: 'R-SECRET' },
  access_denied: { key: 'access_denied', labelZh: '越權訪問被拒次數', labelEn: 'Access denied', requirement: 'R-SECRET' },
  offboarded_with_holdings: { key: 'offboarded_with_holdings', labelZh: '離職時仍持有客戶信息的人員', labelEn: 'Leavers refused offboarding while holding customer information', requirement: 'R-OFFBOARD' },
  ports_unsealed: { key: 'ports_unsealed', labelZh: '未封閉USB接口或刻錄光驅的計算機', labelEn: 'Computers with USB ports or a burner left open', requirement: 'R-PORTS' },
  unusual_reading: {
    key: 'unusual_reading',
    labelZh: '單日查看客戶數異常（人·日）',
    labelEn: 'Unusual reading: a user viewing more distinct customers in a day than the threshold (user-days)',
    requirement: 'R-SECRET',
  },
  rectifications_overdue: { key: 'rectifications_overdue', labelZh: '逾期未完成的整改', labelEn: 'Rectifications past their due date', requirement: 'R-RISK-MONTHLY' },
} satisfies Record<string, Def>;

export type IndicatorKey = keyof typeof DEFS;
