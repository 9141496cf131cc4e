import { useMemo, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Descriptions, Form, Input, Popconfirm, Row, Select, Table, Tag, Typography } from 'antd';
import { useParams } from 'react-router';
import { api, ApiError, unwrap } from '../../api/client';
import { PageContainer } from '../../components/PageContainer';
import { FullPageSpin } from '../../components/FullPageSpin';
import { Watermark } from '../../components/Watermark';
import { applyApiErrors, showApiError, useReloadOnConflict } from '../../forms/apiErrors';
import { formatDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/messages';
import { useSession } from '../../session/SessionProvider';
import { PAGE_SIZES } from '../../shared/table';
import { ToneTag } from '../../shared/tone';
import { personLabel } from '../../shared/people';
import { AccessLogCard } from '../../shared/AccessLogTable';
import { ExplainCard } from './ExplainCard';
import { messages } from './messages';
import { HoldingsList, ScopeFields, scopeOf, StatusTag, useRoleName, useRoles, useScopeLabel, type ScopeKind } from './shared';
import { EditUserDialog, OffboardDialog, ResetPasswordDialog } from './UserDialogs';

const h2 = { fontSize: 16, margin: 0 } as const;

/** /admin/users/:id — one account: its roles (grant, revoke), what they allow, why (R-IT-PERMS, R-SCOPE), holdings (R-OFFBOARD). */
export default function UserPage() {
  const t = useMessages(messages);
  const { can, user: me } = useSession();
  const id = Number(useParams().id);
  const [dialog, setDialog] = useState<'edit' | 'password' | 'offboard' | null>(null);
  const user = useQuery({ queryKey: ['admin', 'users', 'one', id], queryFn: () => unwrap(api.GET('/api/v1/users/{id}', { params: { path: { id: String(id) } } })) });
  const holdings = useQuery({
    queryKey: ['admin', 'users', 'holdings', id],
    queryFn: () => unwrap(api.GET('/api/v1/users/{id}/holdings', { params: { path: { id: String(id) } } })).then((r) => r.items),
  });
  if (user.isLoading) return <FullPageSpin />;
  if (!user.data) {
    const err = user.error;
    return (
      <PageContainer title={t('usersTitle')} breadcrumb={[{ title: t('usersTitle'), path: '/admin/users' }]}>
        <Alert type="error" showIcon title={err instanceof ApiError ? err.text : String(err ?? '')} />
      </PageContainer>
    );
  }
  const u = user.data;
  const open = u.status !== 'offboarded';
  return (
    <PageContainer
      title={t('userTitle', { name: personLabel(u) })}
      breadcrumb={[{ title: t('usersTitle'), path: '/admin/users' }, { title: u.username }]}
      extra={
        open && (
          <>
            {can('user:manage') && <Button onClick={() => setDialog('edit')}>{t('edit')}</Button>}
            {can('user:manage') && <Button onClick={() => setDialog('password')}>{t('resetPassword')}</Button>}
            {can('user:offboard') && u.id !== me.id && (
              <Button danger onClick={() => setDialog('offboard')}>
                {t('offboard')}
              </Button>
            )}
          </>
        )
      }
    >
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card title={<h2 style={h2}>{t('account')}</h2>}>
            <Descriptions
              size="small"
              column={1}
              items={[
                { key: 'u', label: t('username'), children: u.username },
                { key: 'n', label: t('displayName'), children: u.displayName },
                { key: 'd', label: t('department'), children: u.departmentCode ?? '—' },
                { key: 'e', label: t('email'), children: u.email ?? '—' },
                { key: 'g', label: t('msgLanguage'), children: u.language === 'en' ? t('lang_en') : t('lang_zhHant') },
                { key: 's', label: t('status'), children: <StatusTag status={u.status} /> },
                { key: 'a', label: t('agreementSignedAt'), children: u.agreementSignedAt ? `${formatDateTime(u.agreementSignedAt)} (${u.agreementVersion})` : '—' },
                ...(u.lockedUntil ? [{ key: 'l', label: t('lockedUntil'), children: formatDateTime(u.lockedUntil) }] : []),
                ...(u.offboardedAt ? [{ key: 'o', label: t('offboardedAt'), children: formatDateTime(u.offboardedAt) }] : []),
                { key: 'c', label: t('createdAt'), children: formatDateTime(u.createdAt) },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title={<h2 style={h2}>{t('holdings')}</h2>} loading={holdings.isLoading}>
            <HoldingsList items={holdings.data ?? []} />
          </Card>
        </Col>
        <Col span={24}>
          <RolesCard userId={u.id} active={open && u.id !== me.id} />
        </Col>
        <Col span={24}>
          <EffectiveCard userId={u.id} />
        </Col>
        {can('policy:read') && (
          <Col span={24}>
            <ExplainCard username={u.username} />
          </Col>
        )}
        {can('access_log:read') && (
          <Col span={24}>
            {/* Customer ids and projects read by this user (R-AUDIT): watermarked like every customer-data view. */}
            <Watermark>
              <AccessLogCard of="user" id={u.id} />
            </Watermark>
          </Col>
        )}
      </Row>
      <EditUserDialog user={dialog === 'edit' ? u : null} onClose={() => setDialog(null)} />
      <ResetPasswordDialog user={dialog === 'password' ? u : null} onClose={() => setDialog(null)} />
      <OffboardDialog user={dialog === 'offboard' ? u : null} onClose={() => setDialog(null)} />
    </PageContainer>
  );
}

interface GrantValues {
  role: string;
  scopeKind?: ScopeKind;
  scopeCode?: string;
}

/** Role assignments: grant (role, then a scope it may be held in, picked from lists) and revoke. */
function RolesCard({ userId, active }: { userId: number; active: boolean }) {
  const t = useMessages(messages);
  const { message } = App.useApp();
  const { can } = useSession();
  const qc = useQueryClient();
  const roleName = useRoleName();
  const scopeText = useScopeLabel();
  const manage = can('role_assignment:manage') && active;
  const [form] = Form.useForm<GrantValues>();
  const roles = useRoles();
  const role = Form.useWatch('role', form);
  const kinds = roles.data?.find((r) => r.name === role)?.scopes ?? [];
  const list = useQuery({
    queryKey: ['admin', 'users', 'assignments', userId],
    queryFn: () => unwrap(api.GET('/api/v1/role-assignments', { params: { query: { userId } } })).then((r) => r.items),
  });
  const changed = () => qc.invalidateQueries({ queryKey: ['admin', 'users'] });
  // 409 (the role granted or revoked by someone else meanwhile): the roles reload.
  const reload = useReloadOnConflict(['admin', 'users']);
  const grant = useMutation({
    mutationFn: (v: GrantValues) => unwrap(api.POST('/api/v1/role-assignments', { body: { userId, role: v.role, scope: scopeOf(v) } })),
    onSuccess: (a) => {
      message.success(t('granted', { role: roleName(a.role), scope: scopeText(a.scope) }));
      form.resetFields();
      void changed();
    },
    onError: (err) => applyApiErrors(form, err, { fieldMap: { scope: ['scopeCode'] }, reload }),
  });
  const revoke = useMutation({
    mutationFn: (assignmentId: number) => unwrap(api.DELETE('/api/v1/role-assignments/{id}', { params: { path: { id: String(assignmentId) } } })),
    onSuccess: () => {
      message.success(t('revoked'));
      void changed();
    },
    onError: (err) => showApiError(err, { reload }),
  });
  return (
    <Card title={<h2 style={h2}>{t('roles')}</h2>}>
      <Table
        size="small"
        rowKey="id"
        loading={list.isLoading}
        dataSource={list.data}
        pagination={false}
        locale={{ emptyText: t('noRoles') }}
        scroll={{ x: 'max-content' }}
        columns={[
          { title: t('role'), dataIndex: 'role', render: (r: string) => roleName(r) },
          { title: t('scope'), dataIndex: 'scope', render: (s: string) => <Tag>{scopeText(s)}</Tag> },
          ...(manage
            ? [
                {
                  title: t('actions'),
                  key: 'a',
                  render: (_: unknown, a: { id: number; role: string; scope: string }) => (
                    <Popconfirm title={t('revokeConfirm', { role: roleName(a.role), scope: scopeText(a.scope) })} onConfirm={() => revoke.mutate(a.id)} okText={t('revoke')} cancelText={t('cancel')}>
                      <Button size="small" danger aria-label={`${t('revoke')} ${a.role} ${a.scope}`}>
                        {t('revoke')}
                      </Button>
                    </Popconfirm>
                  ),
                },
              ]
            : []),
        ]}
      />
      {manage && (
        <Form
          form={form}
          layout="inline"
          name="grant-role"
          style={{ marginTop: 16, rowGap: 12 }}
          onFinish={(v) => grant.mutate(v)}
          onValuesChange={(c: Partial<GrantValues>) => {
            if ('role' in c) {
              const only = roles.data?.find((r) => r.name === c.role)?.scopes;
              form.setFieldsValue({ scopeKind: only?.length === 1 ? only[0] : undefined, scopeCode: undefined });
            }
          }}
        >
          <Form.Item name="role" label={t('role')} rules={[{ required: true, message: t('required') }]}>
            <Select
              style={{ minWidth: 220 }}
              showSearch={{ optionFilterProp: 'label' }}
              loading={roles.isLoading}
              options={(roles.data ?? []).map((r) => ({ value: r.name, label: roleName(r.name) }))}
            />
          </Form.Item>
          {role ? <ScopeFields form={form} kinds={kinds} /> : <Typography.Text type="secondary" style={{ lineHeight: '32px' }}>{t('pickRoleFirst')}</Typography.Text>}
          <Form.Item>
            <Button type="primary" htmlType="submit" loading={grant.isPending}>
              {t('grant')}
            </Button>
          </Form.Item>
        </Form>
      )}
    </Card>
  );
}

/** Every policy line that applies to the user through their roles. */
function EffectiveCard({ userId }: { userId: number }) {
  const t = useMessages(messages);
  const roleName = useRoleName();
  const scopeText = useScopeLabel();
  const [filter, setFilter] = useState('');
  const q = useQuery({
    queryKey: ['admin', 'users', 'permissions', userId],
    queryFn: () => unwrap(api.GET('/api/v1/users/{id}/permissions', { params: { path: { id: String(userId) } } })),
  });
  const rows = useMemo(() => {
    const f = filter.trim().toLowerCase();
    return (q.data?.permissions ?? []).filter((p) => !f || `${p.object}:${p.action}`.includes(f));
  }, [q.data, filter]);
  return (
    <Card
      title={<h2 style={h2}>{t('effective')}</h2>}
      extra={<Input.Search aria-label={t('filterPermission')} placeholder={t('filterPermission')} allowClear onChange={(e) => setFilter(e.target.value)} style={{ width: 220 }} />}
    >
      <Typography.Paragraph type="secondary">{t('effectiveIntro')}</Typography.Paragraph>
      <Table
        size="small"
        rowKey={(p) => `${p.lineId}-${p.scope}-${p.viaRole}`}
        loading={q.isLoading}
        dataSource={rows}
        scroll={{ x: 'max-content' }}
        pagination={{ pageSize: 20, showSizeChanger: true, pageSizeOptions: PAGE_SIZES }}
        columns={[
          { title: t('permission'), key: 'p', render: (_: unknown, p) => <code>{`${p.object}:${p.action}`}</code> },
          { title: t('effect'), dataIndex: 'effect', render: (e: 'allow' | 'deny') => <ToneTag tone={e === 'allow' ? 'green' : 'red'}>{t(`effect_${e}`)}</ToneTag> },
          { title: t('scope'), dataIndex: 'scope', render: (s: string) => scopeText(s) },
          { title: t('viaRole'), dataIndex: 'viaRole', render: (r: string) => roleName(r) },
          { title: t('line'), dataIndex: 'lineId', render: (l: number) => `#${l}` },
        ]}
      />
    </Card>
  );
}
