import { HomeOutlined } from '@ant-design/icons';
import type { AreaDef } from '../types';
import { lazyPage } from '../lazy';

/** "My work" at /: what waits for the user (GET /api/v1/me/work), their roles and what they can use. */
export const area: AreaDef = {
  key: 'home',
  title: { 'zh-TW': '我的工作', en: 'My work' },
  icon: <HomeOutlined />,
  menu: [{ path: '/', label: { 'zh-TW': '我的工作', en: 'My work' } }],
  routes: [{ path: '/', element: lazyPage(() => import('./HomePage')) }],
};
