import { useMutation, useQuery, useQueryClient, keepPreviousData } from '@tanstack/react-query';
import { api, BACKGROUND, unwrap } from '../../api/client';
import type { paths } from '../../api/schema';

type Ok<P extends keyof paths, M extends 'get' | 'post' | 'put' | 'patch'> = paths[P][M] extends {
  responses: { 200: { content: { 'application/json': infer R } } };
}
  ? R
  : never;

/** One message of the inbox (GET /api/v1/me/notifications): subject and body already in the user's language, no customer data. */
export type InboxItem = Ok<'/api/v1/me/notifications', 'get'>['items'][number];
/** GET /api/v1/me/notification-preferences */
export type Preferences = Ok<'/api/v1/me/notification-preferences', 'get'>;
export type KindPreference = Preferences['kinds'][number];
export type Mode = KindPreference['mode'];
/** The language of the user's messages (the server's names; the console's own switch says 'zh-TW'). */
export type MessageLang = Preferences['language'];

/** Every cached answer about the caller's notifications starts with this (a change invalidates them all). */
export const NOTIFICATIONS = ['notifications'] as const;

/** The bell polls this often while the page is visible (and on the window regaining focus). */
const POLL_MS = 60_000;

/**
 * The unread count for the bell: polled every minute while the tab is visible and again when the
 * window regains focus. The calls are BACKGROUND ones: they do not count as the user's activity,
 * so a console left open still signs out after the idle timeout. The bell lives in the signed-in
 * layout only, so nothing polls while signed out (signing out also clears the cache).
 */
export function useUnreadCount() {
  return useQuery({
    queryKey: [...NOTIFICATIONS, 'unread'],
    queryFn: () => unwrap(api.GET('/api/v1/me/notifications/unread-count', { headers: BACKGROUND })),
    refetchInterval: POLL_MS,
    refetchIntervalInBackground: false,
    refetchOnWindowFocus: true,
    select: (d) => d.unread,
  });
}

export interface ListQuery {
  limit: number;
  offset: number;
  unread?: boolean;
}

/** A page of the inbox, newest first. */
export function useInbox(q: ListQuery, enabled = true) {
  return useQuery({
    queryKey: [...NOTIFICATIONS, 'list', q],
    enabled,
    placeholderData: keepPreviousData,
    queryFn: () =>
      unwrap(api.GET('/api/v1/me/notifications', { params: { query: { limit: q.limit, offset: q.offset, ...(q.unread ? { unread: 'true' as const } : {}) } } })),
  });
}

/** Marks one message read (opening it); the bell and the lists refresh. */
export function useMarkRead() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => unwrap(api.POST('/api/v1/me/notifications/{id}/read', { params: { path: { id: String(id) } } })),
    onSettled: () => qc.invalidateQueries({ queryKey: NOTIFICATIONS }),
  });
}

/** Marks every message read; gives how many were marked. */
export function useMarkAllRead() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/me/notifications/read-all')).then((r) => r.marked),
    onSettled: () => qc.invalidateQueries({ queryKey: NOTIFICATIONS }),
  });
}

/**
 * Where a message's link may take the user: a path of this console only ('/print-requests',
 * '/copies/CC-2026-00001'); anything else (another site, '//host') is not followed.
 */
export function consolePath(link: string | null | undefined): string | null {
  return link && link.startsWith('/') && !link.startsWith('//') && !link.includes('\\') ? link : null;
}
