import { useMemo } from 'react';
import { useLocation } from 'react-router';
import { areas } from '../areas';
import type { AreaDef, MenuItemDef } from '../areas/types';
import { useSession } from '../session/SessionProvider';

/** The areas and menu items the user may use (an area with no usable item is not shown). */
export function useVisibleAreas(): { area: AreaDef; items: MenuItemDef[] }[] {
  const { can } = useSession();
  return useMemo(
    () =>
      areas
        .map((area) => ({ area, items: area.menu.filter((i) => !i.permission || can(i.permission)) }))
        .filter((a) => a.items.length > 0),
    [can],
  );
}

const matches = (pathname: string, path: string) =>
  path === '/' ? pathname === '/' : pathname === path || pathname.startsWith(path.endsWith('/') ? path : `${path}/`);

/** The menu item the current path belongs to (longest matching path), with its area. */
export function useCurrentMenuItem(): { area: AreaDef; item: MenuItemDef } | null {
  const { pathname } = useLocation();
  return useMemo(() => {
    let best: { area: AreaDef; item: MenuItemDef } | null = null;
    for (const area of areas)
      for (const item of area.menu)
        if (matches(pathname, item.path) && (!best || item.path.length > best.item.path.length)) best = { area, item };
    return best;
  }, [pathname]);
}
