import { FolderOpenOutlined } from '@ant-design/icons';
import type { AreaDef } from '../types';
import { lazyPage } from '../lazy';

/** Handover files (R-HANDOVER-HOLD, R-HANDOVER-DESTROY): menu items and lazy routes of this area (each page its own chunk). */
export const area: AreaDef = {
  key: 'handover',
  title: { 'zh-TW': '移交檔案', en: 'Handover files' },
  icon: <FolderOpenOutlined />,
  menu: [
    { path: '/handover', label: { 'zh-TW': '移交檔案', en: 'Handover files' }, permission: 'handover_file:read' },
    { path: '/handover/delegated', label: { 'zh-TW': '委派給我的檔案', en: 'Delegated to me' }, permission: 'handover_file:confirm_entry' },
    { path: '/handover/witness', label: { 'zh-TW': '待我監銷', en: 'Awaiting my witness' }, permission: 'handover_file:witness' },
  ],
  routes: [
    { path: '/handover', element: lazyPage(() => import('./HandoverListPage'), 'handover_file:read') },
    { path: '/handover/delegated', element: lazyPage(() => import('./DelegatedPage'), 'handover_file:view') },
    { path: '/handover/witness', element: lazyPage(() => import('./WitnessPage'), 'handover_file:witness') },
    // Holder, reader, clerk or witness: the page shows what the caller's role there allows.
    { path: '/handover/:id', element: lazyPage(() => import('./HandoverFilePage')) },
    { path: '/handover/:id/view', element: lazyPage(() => import('./HandoverViewerPage'), 'handover_file:view') },
  ],
};
