import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import type { paths } from '../api/schema';
import type { Permission } from '../api/types';
import { useSession } from '../session/SessionProvider';

type Items<P extends '/api/v1/projects' | '/api/v1/departments'> = paths[P]['get']['responses'][200]['content']['application/json']['items'];

/** A project as GET /api/v1/projects lists it. */
export type Project = Items<'/api/v1/projects'>[number];
/** A department as GET /api/v1/departments lists it. */
export type Department = Items<'/api/v1/departments'>[number];

/** The organisation changes rarely: one cached list for every page of the session (admin edits invalidate it). */
const ORG_STALE = 5 * 60_000;
export const orgKeys = { projects: ['org', 'projects'] as const, departments: ['org', 'departments'] as const };

/** GET /api/v1/projects: the items. */
export function useProjects(enabled = true) {
  return useQuery({ queryKey: orgKeys.projects, queryFn: async () => (await unwrap(api.GET('/api/v1/projects'))).items, staleTime: ORG_STALE, enabled });
}

/** GET /api/v1/departments: the items. */
export function useDepartments(enabled = true) {
  return useQuery({ queryKey: orgKeys.departments, queryFn: async () => (await unwrap(api.GET('/api/v1/departments'))).items, staleTime: ORG_STALE, enabled });
}

/** The scopes a permission is checked in for a project: the project itself and its department. */
export const projectScopes = (p: Pick<Project, 'code' | 'departmentCode'>): string[] => [`project:${p.code}`, ...(p.departmentCode ? [`dept:${p.departmentCode}`] : [])];

/**
 * The project codes where the user holds `permission`: their project scopes, the projects of their
 * department scopes, every project for a company-wide holder (the project list is fetched only when
 * a department or company-wide scope needs it). `scopesOf(code)`: that project's scopes (projectScopes).
 */
export function useProjectsWhere(permission: Permission): { projects: string[]; loading: boolean; scopesOf: (project: string | undefined) => string[] } {
  const { permissions } = useSession();
  const scopes = permissions.find((p) => p.permission === permission)?.scopes ?? [];
  const needList = scopes.some((s) => s === '*' || s.startsWith('dept:'));
  const all = useProjects(needList);
  const codes = new Set<string>();
  for (const s of scopes) if (s.startsWith('project:')) codes.add(s.slice('project:'.length));
  for (const p of all.data ?? []) {
    if (scopes.includes('*') || (p.departmentCode && scopes.includes(`dept:${p.departmentCode}`))) codes.add(p.code);
  }
  const dept = new Map((all.data ?? []).map((p) => [p.code, p.departmentCode]));
  return {
    projects: [...codes].sort(),
    loading: needList && all.isLoading,
    scopesOf: (project) => (project ? projectScopes({ code: project, departmentCode: dept.get(project) ?? null }) : []),
  };
}
