import { defineKinds, MessageParams } from '../message';

/**
 * Message kinds of the system: customer imports (succeeded, failed or interrupted) and exports, to
 * who started them; scheduled jobs that failed and a broken audit chain, to the IT admins (R-AUDIT).
 * See ../message.ts.
 *
 * Params are identifiers and counts only: an import's file name, an export's purpose and a job's
 * error text are free text (a file name or an error may quote a customer) and stay on their
 * records, which the link leads to.
 */

const s = (p: MessageParams, k: string): string => String(p[k] ?? '');
const dry = (p: MessageParams) => Number(p.dryRun) === 1;

export const systemKinds = defineKinds([
  {
    kind: 'customer_import.finished',
    title: { 'zh-Hant': '客戶資料匯入完成', en: 'Customer import finished' },
    action: false,
    text: {
      'zh-Hant': (p) => {
        const what = dry(p) ? '客戶資料匯入檢查（試行）' : '客戶資料匯入';
        if (s(p, 'status') === 'interrupted') {
          return {
            subject: `${what} ${s(p, 'importId')} 已中斷（專案 ${s(p, 'project')}）`,
            body: `執行${what} ${s(p, 'importId')}（專案 ${s(p, 'project')}）的程序在完成前停止，未寫入任何資料。請重新匯入。`,
          };
        }
        return s(p, 'status') === 'succeeded'
          ? {
              subject: `${what} ${s(p, 'importId')} 已完成（專案 ${s(p, 'project')}）`,
              body: `${what} ${s(p, 'importId')}（專案 ${s(p, 'project')}）已完成：共 ${s(p, 'rows')} 列，新增 ${s(p, 'created')}、更新 ${s(p, 'updated')}、略過 ${s(p, 'skipped')}，${s(p, 'errors')} 列有錯誤。${dry(p) ? '試行未寫入任何資料。' : ''}`,
            }
          : {
              subject: `${what} ${s(p, 'importId')} 失敗（專案 ${s(p, 'project')}）`,
              body: `${what} ${s(p, 'importId')}（專案 ${s(p, 'project')}）失敗，未寫入任何資料（${s(p, 'errors')} 列有錯誤）。原因記載於匯入紀錄中。`,
            };
      },
      en: (p) => {
        const what = dry(p) ? 'Customer import check (dry run)' : 'Customer import';
        if (s(p, 'status') === 'interrupted') {
          return {
            subject: `${what} ${s(p, 'importId')} interrupted (project ${s(p, 'project')})`,
            body: `The process running ${what.toLowerCase()} ${s(p, 'importId')} of project ${s(p, 'project')} stopped before it finished; nothing of it was written. Import the file again.`,
          };
        }
        return s(p, 'status') === 'succeeded'
          ? {
              subject: `${what} ${s(p, 'importId')} finished (project ${s(p, 'project')})`,
              body: `${what} ${s(p, 'importId')} of project ${s(p, 'project')} finished: ${s(p, 'rows')} row(s), ${s(p, 'created')} created, ${s(p, 'updated')} updated, ${s(p, 'skipped')} skipped, ${s(p, 'errors')} with errors.${dry(p) ? ' Nothing was written (dry run).' : ''}`,
            }
          : {
              subject: `${what} ${s(p, 'importId')} failed (project ${s(p, 'project')})`,
              body: `${what} ${s(p, 'importId')} of project ${s(p, 'project')} failed and wrote nothing (${s(p, 'errors')} row(s) with errors). The reason is on the import's record.`,
            };
      },
    },
    link: () => '/admin/imports',
    sample: { importId: '1b4e28ba-2fa1-11d2-883f-0016d3cca427', project: 'P01', status: 'succeeded', dryRun: 0, rows: 120, created: 100, updated: 15, skipped: 5, errors: 0 },
  },
  {
    kind: 'customer_export.finished',
    title: { 'zh-Hant': '客戶資料匯出完成', en: 'Customer export finished' },
    action: false,
    text: {
      'zh-Hant': (p) => ({
        subject: `客戶資料匯出 ${s(p, 'exportId')} 已完成（專案 ${s(p, 'project')}）`,
        body: `您匯出了專案 ${s(p, 'project')} 的 ${s(p, 'rows')} 筆客戶資料（${s(p, 'format')}，匯出編號 ${s(p, 'exportId')}）。此次匯出已記錄；檔案請妥善保管，用畢即刪除。`,
      }),
      en: (p) => ({
        subject: `Customer export ${s(p, 'exportId')} finished (project ${s(p, 'project')})`,
        body: `You exported ${s(p, 'rows')} customer record(s) of project ${s(p, 'project')} (${s(p, 'format')}, export ${s(p, 'exportId')}). The export is recorded; keep the file safe and delete it when done.`,
      }),
    },
    link: () => '/customers',
    sample: { exportId: '1b4e28ba-2fa1-11d2-883f-0016d3cca427', project: 'P01', format: 'csv', rows: 120 },
  },
  {
    kind: 'job.failed',
    title: { 'zh-Hant': '排程工作失敗', en: 'Scheduled job failed' },
    action: false,
    text: {
      'zh-Hant': (p) => ({
        subject: `排程工作 ${s(p, 'job')} 失敗（${s(p, 'period')}）`,
        body: `排程工作 ${s(p, 'job')}（期間 ${s(p, 'period')}，第 ${s(p, 'attempts')} 次執行）失敗。錯誤記載於工作紀錄與稽核軌跡；系統每小時重試，亦可手動重新執行。`,
      }),
      en: (p) => ({
        subject: `Scheduled job ${s(p, 'job')} failed (${s(p, 'period')})`,
        body: `The scheduled job ${s(p, 'job')} failed for period ${s(p, 'period')} (attempt ${s(p, 'attempts')}). The error is on the job's run and in the audit trail; it is retried hourly, or run it again by hand.`,
      }),
    },
    link: () => '/admin/jobs',
    sample: { job: 'copies-overdue', period: '2026-12-05', attempts: 1 },
  },
  {
    kind: 'audit.chain_broken',
    title: { 'zh-Hant': '稽核軌跡雜湊鏈中斷', en: 'Audit chain broken' },
    action: false,
    text: {
      'zh-Hant': (p) => ({
        subject: `稽核軌跡雜湊鏈於第 ${s(p, 'seq')} 筆中斷`,
        body: `每日驗證發現稽核軌跡的雜湊鏈於第 ${s(p, 'seq')} 筆中斷（驗證日 ${s(p, 'day')}）：紀錄可能遭竄改。請立即調查，並與離線保存的錨點比對。`,
      }),
      en: (p) => ({
        subject: `Audit chain broken at event ${s(p, 'seq')}`,
        body: `The nightly verify found the audit hash chain broken at event ${s(p, 'seq')} (verified ${s(p, 'day')}): the trail may have been tampered with. Investigate now and compare with the anchors kept off the host (R-AUDIT).`,
      }),
    },
    link: () => '/audit',
    sample: { seq: 1234, day: '2026-12-05' },
  },
  {
    kind: 'access_log.chain_broken',
    title: { 'zh-Hant': '客戶資料存取紀錄雜湊鏈中斷', en: 'Access log chain broken' },
    action: false,
    text: {
      'zh-Hant': (p) => ({
        subject: `客戶資料存取紀錄於第 ${s(p, 'batch')} 批中斷`,
        body: `每日驗證發現客戶資料存取紀錄（誰查看了哪位客戶）的雜湊鏈於第 ${s(p, 'batch')} 批中斷，或與簽署摘要不符（驗證日 ${s(p, 'day')}）：紀錄可能遭竄改。請立即調查。`,
      }),
      en: (p) => ({
        subject: `Access log chain broken at batch ${s(p, 'batch')}`,
        body: `The nightly verify found the customer access log (who viewed which customer) broken at batch ${s(p, 'batch')}, or differing from the signed digests (verified ${s(p, 'day')}): it may have been tampered with. Investigate now (R-AUDIT).`,
      }),
    },
    link: () => '/audit',
    sample: { batch: 12, day: '2026-12-05' },
  },
]);
