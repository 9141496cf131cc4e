import type { ComponentType, ReactNode } from 'react';
import type { RouteObject } from 'react-router';
import type { Permission } from '../api/types';
import type { Bilingual } from '../i18n/types';

/** One entry of the left menu. Shown only when the user holds `permission` in some scope (none: everyone signed in). */
export interface MenuItemDef {
  /** The route path it opens, e.g. '/customers'. Also what the breadcrumb and the selected item match (longest prefix). */
  path: string;
  label: Bilingual;
  permission?: Permission;
}

/**
 * A feature area of the console (web/src/areas/<key>/index.tsx exports `area`; areas/index.ts lists them).
 * Keep index.tsx light: it is in the first load (menu); pages come through lazyPage() (own chunks).
 */
export interface AreaDef {
  key: string;
  title: Bilingual;
  /** Menu icon: an @ant-design/icons element, e.g. <TeamOutlined />. */
  icon: ReactNode;
  menu: MenuItemDef[];
  /** Routes under the signed-in layout, absolute paths ('/customers', '/customers/:id'), elements made with lazyPage(). */
  routes: RouteObject[];
  /** Widgets this area adds to the header, left of the user menu (e.g. a later notifications bell). */
  header?: ComponentType[];
}
