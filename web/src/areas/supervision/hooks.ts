import { useQuery } from '@tanstack/react-query';
import { api, unwrap, unwrapAs } from '../../api/client';

/** A person to name (GET /api/v1/people). */
export interface Person {
  id: number;
  username: string;
  displayName: string;
}

/** People who may be named as a rectification's owner in a scope: whoever holds a role there (user:pick). */
export function usePeople(scope: string | null, enabled = true) {
  return useQuery({
    queryKey: ['people', 'user:pick', scope],
    enabled: enabled && !!scope,
    queryFn: () =>
      unwrapAs<{ items: Person[] }>(api.GET('/api/v1/people', { params: { query: { permission: 'user:pick', scope: scope! } } })).then((r) => r.items),
    staleTime: 60_000,
  });
}

export function useDepartments(enabled = true) {
  return useQuery({ queryKey: ['departments'], enabled, queryFn: () => unwrap(api.GET('/api/v1/departments')).then((r) => r.items), staleTime: 300_000 });
}

export function useProjects(enabled = true) {
  return useQuery({ queryKey: ['projects'], enabled, queryFn: () => unwrap(api.GET('/api/v1/projects')).then((r) => r.items), staleTime: 300_000 });
}
