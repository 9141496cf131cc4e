import { lazy, Suspense, type ComponentType } from 'react';
import type { Permission } from '../api/types';
import { FullPageSpin } from '../components/FullPageSpin';
import { RequirePermission } from '../session/RequirePermission';

/**
 * A route element whose page is its own chunk (loaded on first visit), optionally behind a
 * permission: `{ path: '/customers', element: lazyPage(() => import('./CustomersPage'), 'customer:read') }`.
 * The module's default export is the page component.
 */
export function lazyPage(load: () => Promise<{ default: ComponentType }>, permission?: Permission, scope?: string) {
  const Page = lazy(load);
  const page = (
    <Suspense fallback={<FullPageSpin />}>
      <Page />
    </Suspense>
  );
  return permission ? (
    <RequirePermission permission={permission} scope={scope}>
      {page}
    </RequirePermission>
  ) : (
    page
  );
}
