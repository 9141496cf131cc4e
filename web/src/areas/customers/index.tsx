import { TeamOutlined } from '@ant-design/icons';
import type { AreaDef } from '../types';
import { lazyPage } from '../lazy';

/** Customers: menu items and lazy routes of this area (each page its own chunk). */
export const area: AreaDef = {
  key: 'customers',
  title: { 'zh-TW': '客戶資料', en: 'Customers' },
  icon: <TeamOutlined />,
  menu: [{ path: '/customers', label: { 'zh-TW': '客戶資料', en: 'Customers' }, permission: 'customer:read' }],
  routes: [
    { path: '/customers', element: lazyPage(() => import('./CustomersPage'), 'customer:read') },
    // customer:read (the record) or access_log:read (an auditor: who viewed it, the record not shown): CustomerPage decides.
    { path: '/customers/:id', element: lazyPage(() => import('./CustomerPage')) },
  ],
};
