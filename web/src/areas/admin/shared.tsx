import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Alert, Form, List, Radio, Select, Table, Typography } from 'antd';
import type { FormInstance } from 'antd';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import type { paths } from '../../api/schema';
import { core, roleNames } from '../../i18n/core';
import { formatDateTime } from '../../i18n/format';
import { useLocale } from '../../i18n/locale';
import { useMessages } from '../../i18n/messages';
import { useSession } from '../../session/SessionProvider';
import { scopeLabel } from '../../session/scopeLabel';
import { useDepartments, useProjects, type Department, type Project } from '../../shared/org';
import { ToneTag, type Tone } from '../../shared/tone';
import { PAGE_SIZES } from '../../shared/table';
import { messages } from './messages';

type Json<P extends keyof paths, M extends 'get' | 'post' | 'patch'> = paths[P][M] extends {
  responses: { 200?: { content: { 'application/json': infer R } }; 201?: { content: { 'application/json': infer S } } };
}
  ? unknown extends R
    ? S
    : R
  : never;

export type UserView = Json<'/api/v1/users/{id}', 'get'>;
export type Holding = Json<'/api/v1/users/{id}/holdings', 'get'>['items'][number];
export type RoleDef = Json<'/api/v1/roles', 'get'>['items'][number];
export type ScopeKind = RoleDef['scopes'][number];

export const USER_STATUSES = ['pending_agreement', 'active', 'offboarded'] as const;

/** The roles every admin page picks from. */
export function useRoles(enabled = true) {
  return useQuery({ queryKey: ['admin', 'roles'], queryFn: () => unwrap(api.GET('/api/v1/roles')).then((r) => r.items), enabled });
}

/** "PM1 — Property management 1" options for a department Select. */
export function departmentOptions(items: Department[] | undefined) {
  return (items ?? []).map((d) => ({ value: d.code, label: `${d.code} — ${d.name}` }));
}
export function projectOptions(items: Project[] | undefined) {
  return (items ?? []).map((p) => ({ value: p.code, label: `${p.code} — ${p.name}` }));
}

/** Localised role name with its code. */
export function useRoleName() {
  const { locale } = useLocale();
  return (role: string) => (roleNames[role] ? `${roleNames[role][locale]} (${role})` : role);
}

/** '*' / 'dept:PM1' / 'project:SC-HARBOUR' in words. */
export function useScopeLabel() {
  const tc = useMessages(core);
  return (scope: string) => scopeLabel(scope, tc);
}

export function StatusTag({ status }: { status: string }) {
  const t = useMessages(messages);
  const tone: Tone = status === 'active' ? 'green' : status === 'offboarded' ? 'grey' : 'gold';
  return <ToneTag tone={tone}>{t(`status_${status}` as 'status_active')}</ToneTag>;
}

/**
 * R-SCOPE: the scope of a grant or a policy line is picked, never typed: a scope type (only
 * those the role may be held in), then the department or project from the lists. The form holds
 * `scopeKind` and `scopeCode`; scopeOf() turns them into '*' | 'dept:X' | 'project:Y'.
 */
export function ScopeFields({ form, kinds }: { form: FormInstance; kinds: ScopeKind[] }) {
  const t = useMessages(messages);
  const kind = Form.useWatch('scopeKind', form) as ScopeKind | undefined;
  const depts = useDepartments();
  const projects = useProjects();
  return (
    <>
      <Form.Item name="scopeKind" label={t('scopeKind')} rules={[{ required: true, message: t('required') }]}>
        <Radio.Group
          onChange={() => form.setFieldValue('scopeCode', undefined)}
          options={kinds.map((k) => ({ value: k, label: t(`scopeKind_${k}`) }))}
        />
      </Form.Item>
      {kind === 'dept' && (
        <Form.Item name="scopeCode" label={t('department')} rules={[{ required: true, message: t('required') }]}>
          <Select showSearch={{ optionFilterProp: 'label' }} loading={depts.isLoading} options={departmentOptions(depts.data)} style={{ minWidth: 240 }} />
        </Form.Item>
      )}
      {kind === 'project' && (
        <Form.Item name="scopeCode" label={t('project')} rules={[{ required: true, message: t('required') }]}>
          <Select showSearch={{ optionFilterProp: 'label' }} loading={projects.isLoading} options={projectOptions(projects.data)} style={{ minWidth: 240 }} />
        </Form.Item>
      )}
    </>
  );
}

export function scopeOf(v: { scopeKind?: ScopeKind; scopeCode?: string }): string {
  if (v.scopeKind === 'dept') return `dept:${v.scopeCode}`;
  if (v.scopeKind === 'project') return `project:${v.scopeCode}`;
  return '*';
}

/** R-OFFBOARD: what a user still holds, each with a link to where it is handed over. */
export function HoldingsList({ items }: { items: Holding[] }) {
  const t = useMessages(messages);
  const link = (h: Holding) =>
    h.kind === 'controlled_copy' ? `/copies/${encodeURIComponent(h.id)}` : h.kind === 'handover_file' ? `/handover/${encodeURIComponent(h.id)}` : null;
  if (!items.length) return <Typography.Text>{t('holdingsNone')}</Typography.Text>;
  return (
    <List
      size="small"
      bordered
      dataSource={items}
      renderItem={(h) => {
        const to = link(h);
        const kindKey = `kind_${h.kind}` as 'kind_controlled_copy';
        const kindText = messages.en[kindKey] ? t(kindKey) : h.kind;
        return (
          <List.Item extra={to ? <Link to={to}>{t('open')} {h.id}</Link> : null}>
            <List.Item.Meta title={`${kindText} ${h.id}`} description={h.description} />
          </List.Item>
        );
      }}
    />
  );
}

/** The 409 of an offboarding refused for holdings: its items. */
export function holdingsOfRefusal(err: unknown): Holding[] | null {
  const e = err as { status?: number; code?: string; details?: { holdings?: Holding[] } };
  return e?.status === 409 && e.code === 'holdings_outstanding' && Array.isArray(e.details?.holdings) ? e.details.holdings : null;
}

/** One recorded event (GET /api/v1/audit). */
type AuditEvent = Json<'/api/v1/audit', 'get'>['items'][number];

const show = (v: unknown): string => (v === null || v === undefined ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** An event's before/after as one line per field: "name: old → new" (only what the event recorded). */
function ChangeSummary({ before, after }: { before: unknown; after: unknown }) {
  const b = before && typeof before === 'object' ? (before as Record<string, unknown>) : {};
  const a = after && typeof after === 'object' ? (after as Record<string, unknown>) : {};
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  return (
    <div style={{ fontSize: 12, maxWidth: 420, whiteSpace: 'normal', wordBreak: 'break-word' }}>
      {keys.map((k) => (
        <div key={k}>
          <Typography.Text type="secondary">{k}:</Typography.Text> {k in b ? `${show(b[k])} → ` : ''}
          {k in a ? show(a[k]) : '—'}
        </div>
      ))}
    </div>
  );
}

/**
 * The recorded changes of one object (project, policy line...) from the audit trail, newest
 * first (needs audit:read, which the IT admin holds; others see why it is missing).
 */
export function AuditHistory({ objectType, objectId }: { objectType: string; objectId?: string }) {
  const t = useMessages(messages);
  const { can } = useSession();
  const [page, setPage] = useState({ current: 1, pageSize: 20 });
  const allowed = can('audit:read');
  const q = useQuery({
    queryKey: ['admin', 'audit', objectType, objectId ?? null, page],
    enabled: allowed,
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/audit', {
          params: { query: { objectType, ...(objectId ? { objectId } : {}), limit: page.pageSize, offset: (page.current - 1) * page.pageSize } },
        }),
      ),
  });
  if (!allowed) return <Alert type="info" showIcon title={t('historyNeedsAudit')} />;
  return (
    <Table<AuditEvent>
      size="small"
      rowKey="seq"
      loading={q.isLoading}
      dataSource={q.data?.items}
      scroll={{ x: 'max-content' }}
      locale={{ emptyText: t('noHistory') }}
      pagination={{ ...page, total: q.data?.total ?? 0, pageSizeOptions: PAGE_SIZES, showSizeChanger: true, onChange: (current, pageSize) => setPage({ current, pageSize }) }}
      columns={[
        { title: t('when'), dataIndex: 'at', render: (v: string) => formatDateTime(v) },
        { title: t('who'), dataIndex: 'actorName' },
        { title: t('what'), dataIndex: 'action', render: (a: string, e) => (e.objectId && !objectId ? `${a} #${e.objectId}` : a) },
        { title: t('change'), render: (_: unknown, e) => <ChangeSummary before={e.before} after={e.after} /> },
      ]}
    />
  );
}
