import { AuditOutlined } from '@ant-design/icons';
import type { AreaDef } from '../types';
import { lazyPage } from '../lazy';

/** Audit trail: menu items and lazy routes of this area (each page its own chunk). */
export const area: AreaDef = {
  key: 'audit',
  title: { 'zh-TW': '稽核軌跡', en: 'Audit trail' },
  icon: <AuditOutlined />,
  menu: [{ path: '/audit', label: { 'zh-TW': '稽核軌跡', en: 'Audit trail' }, permission: 'audit:read' }],
  routes: [{ path: '/audit', element: lazyPage(() => import('./AuditPage'), 'audit:read') }],
};
