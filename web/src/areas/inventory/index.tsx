import { DatabaseOutlined } from '@ant-design/icons';
import type { AreaDef } from '../types';
import { lazyPage } from '../lazy';

/** The department inventory of customer information (R-INVENTORY): menu items and lazy routes. */
export const area: AreaDef = {
  key: 'inventory',
  title: { 'zh-TW': '資訊清冊', en: 'Information inventory' },
  icon: <DatabaseOutlined />,
  menu: [{ path: '/inventory', label: { 'zh-TW': '資訊清冊', en: 'Information inventory' }, permission: 'inventory:read' }],
  routes: [{ path: '/inventory', element: lazyPage(() => import('./InventoryPage'), 'inventory:read') }],
};
