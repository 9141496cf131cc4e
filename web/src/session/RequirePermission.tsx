import type { ReactNode } from 'react';
import type { Permission } from '../api/types';
import { NoPermission } from '../components/NoPermission';
import { useSession } from './SessionProvider';

/** `<RequirePermission permission="customer:read">…</RequirePermission>`: NoPermission unless can(permission, scope). */
export function RequirePermission({ permission, scope, children }: { permission: Permission; scope?: string | string[]; children: ReactNode }) {
  const { can } = useSession();
  return can(permission, scope) ? <>{children}</> : <NoPermission permission={permission} />;
}
