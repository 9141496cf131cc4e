import { createContext, useCallback, useContext, useMemo, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { api, unwrapAs } from '../api/client';
import type { Me, Permission } from '../api/types';
import { canWith } from './can';
import type { LoginNotice } from './next';

export const ME_KEY = ['me'] as const;

/** GET /api/v1/me as a query (the shell loads it once; a refetch also slides the session). */
export function useMeQuery() {
  return useQuery({ queryKey: ME_KEY, queryFn: () => unwrapAs<Me>(api.GET('/api/v1/me')), staleTime: 60_000 });
}

export interface Session {
  me: Me;
  user: Me['user'];
  assignments: Me['assignments'];
  permissions: NonNullable<Me['permissions']>;
  /** `can('customer:read')` anywhere; `can('customer:read', 'project:SC-HARBOUR')` there ('*' holders everywhere). */
  can: (permission: Permission, scope?: string | string[]) => boolean;
  /** Refetch /me (after a change to the own account; also keeps the session alive). */
  refresh: () => Promise<unknown>;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ me, children }: { me: Me; children: ReactNode }) {
  const qc = useQueryClient();
  const value = useMemo<Session>(() => {
    const permissions = me.permissions ?? [];
    return {
      me,
      user: me.user,
      assignments: me.assignments,
      permissions,
      can: (p, scope) => canWith(permissions, p, scope),
      refresh: () => qc.refetchQueries({ queryKey: ME_KEY }),
    };
  }, [me, qc]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** The signed-in user, inside the authenticated part of the console. */
export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession() outside the signed-in routes');
  return s;
}

/** `const signOut = useSignOut(); signOut()` — ends the session on the server, forgets every cached answer, goes to /login. */
export function useSignOut() {
  const qc = useQueryClient();
  const navigate = useNavigate();
  return useCallback(
    async (notice: LoginNotice = 'signedOut') => {
      try {
        await api.DELETE('/api/v1/auth/session');
      } catch {
        // Offline or already expired: the cookie dies with its token anyway.
      }
      qc.clear();
      navigate('/login', { replace: true, state: { notice } });
    },
    [qc, navigate],
  );
}
