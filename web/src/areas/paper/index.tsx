import { FileTextOutlined } from '@ant-design/icons';
import type { AreaDef } from '../types';
import { lazyPage } from '../lazy';

/**
 * Paper copies (R-PRINT-APPROVE, R-NO-PAPER, R-NO-LEND, R-LEDGER-FORM): print requests and their
 * approval, the controlled-copy ledger and each copy's custody, the §7 record form. Print requests
 * and copies are open to everyone signed in (their own requests, the copies they hold, what waits
 * for their confirmation); the server decides the rest per record.
 */
export const area: AreaDef = {
  key: 'paper',
  title: { 'zh-TW': '紙本與受控文件', en: 'Paper copies' },
  icon: <FileTextOutlined />,
  menu: [
    { path: '/print-requests', label: { 'zh-TW': '列印申請', en: 'Print requests' } },
    { path: '/copies', label: { 'zh-TW': '受控文件', en: 'Controlled copies' } },
    { path: '/ledger-form', label: { 'zh-TW': '借閱銷毀記錄表', en: 'Record form (§7)' }, permission: 'ledger_form:read' },
  ],
  routes: [
    { path: '/print-requests', element: lazyPage(() => import('./PrintRequestsPage')) },
    { path: '/copies', element: lazyPage(() => import('./CopiesPage')) },
    { path: '/copies/:serial', element: lazyPage(() => import('./CopyDetailPage')) },
    { path: '/ledger-form', element: lazyPage(() => import('./LedgerFormPage'), 'ledger_form:read') },
  ],
};
