import { useMemo, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Flex, Form, Modal, Popconfirm, Radio, Select, Table, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { api, unwrap } from '../../api/client';
import { PageContainer } from '../../components/PageContainer';
import { applyApiErrors, showApiError, useReloadOnConflict } from '../../forms/apiErrors';
import { useMessages } from '../../i18n/messages';
import { useSession } from '../../session/SessionProvider';
import { PAGE_SIZES } from '../../shared/table';
import { ToneTag } from '../../shared/tone';
import { permissionOptions, usePermissionCatalogue } from './ExplainCard';
import { messages } from './messages';
import { AuditHistory, ScopeFields, scopeOf, useRoleName, useRoles, useScopeLabel, type ScopeKind } from './shared';

interface LineValues {
  role: string;
  scopeKind?: ScopeKind;
  scopeCode?: string;
  object: string;
  action: string;
  effect: 'allow' | 'deny';
}

/** /admin/policy — the policy lines, add and remove (IT admin), and their history (R-IT-PERMS). */
export default function PolicyPage() {
  const t = useMessages(messages);
  const { message } = App.useApp();
  const { can } = useSession();
  const manage = can('policy:manage');
  const qc = useQueryClient();
  const roleName = useRoleName();
  const scopeText = useScopeLabel();
  const [role, setRole] = useState<string | undefined>();
  const [object, setObject] = useState<string | undefined>();
  const [adding, setAdding] = useState(false);
  const policy = useQuery({ queryKey: ['admin', 'policy'], queryFn: () => unwrap(api.GET('/api/v1/policy')) });
  const roles = useRoles();
  const lines = useMemo(
    () => (policy.data?.lines ?? []).filter((l) => (!role || l.role === role) && (!object || l.object === object)),
    [policy.data, role, object],
  );
  const objects = useMemo(() => [...new Set((policy.data?.lines ?? []).map((l) => l.object))].sort(), [policy.data]);
  // 409 (the line changed or went meanwhile): the policy reloads.
  const reload = useReloadOnConflict(['admin', 'policy'], ['admin', 'audit', 'policy']);
  const remove = useMutation({
    mutationFn: (id: number) => unwrap(api.DELETE('/api/v1/policy/lines/{id}', { params: { path: { id: String(id) } } })),
    onSuccess: () => {
      message.success(t('lineRemoved'));
      void qc.invalidateQueries({ queryKey: ['admin', 'policy'] });
      void qc.invalidateQueries({ queryKey: ['admin', 'audit', 'policy'] });
    },
    onError: (err) => showApiError(err, { reload }),
  });
  return (
    <PageContainer
      title={t('policyTitle')}
      description={t('policyIntro')}
      extra={
        manage && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setAdding(true)}>
            {t('newLine')}
          </Button>
        )
      }
    >
      <Flex gap={12} wrap align="center" style={{ marginBottom: 16 }}>
        {policy.data && <ToneTag tone="blue">{t('policyVersion', { version: policy.data.version })}</ToneTag>}
        <Select
          aria-label={t('role')}
          placeholder={t('role')}
          allowClear
          style={{ width: 240 }}
          value={role}
          onChange={setRole}
          options={(roles.data ?? []).map((r) => ({ value: r.name, label: roleName(r.name) }))}
        />
        <Select aria-label={t('object')} placeholder={t('object')} allowClear showSearch style={{ width: 200 }} value={object} onChange={setObject} options={objects.map((o) => ({ value: o, label: o }))} />
      </Flex>
      <Table
        rowKey="id"
        size="small"
        loading={policy.isLoading}
        dataSource={lines}
        scroll={{ x: 'max-content' }}
        pagination={{ defaultPageSize: 20, showSizeChanger: true, pageSizeOptions: PAGE_SIZES }}
        columns={[
          { title: '#', dataIndex: 'id', width: 70 },
          { title: t('role'), dataIndex: 'role', render: (r: string) => roleName(r) },
          { title: t('scope'), dataIndex: 'scope', render: (s: string) => scopeText(s) },
          { title: t('object'), dataIndex: 'object', render: (o: string) => (o === '*' ? t('anyObject') : <code>{o}</code>) },
          { title: t('action'), dataIndex: 'action', render: (a: string) => (a === '*' ? t('anyAction') : <code>{a}</code>) },
          { title: t('effect'), dataIndex: 'effect', render: (e: 'allow' | 'deny') => <ToneTag tone={e === 'allow' ? 'green' : 'red'}>{t(`effect_${e}`)}</ToneTag> },
          ...(manage
            ? [
                {
                  title: t('actions'),
                  key: 'a',
                  render: (_: unknown, l: { id: number }) => (
                    <Popconfirm title={t('removeLineConfirm')} onConfirm={() => remove.mutate(l.id)} okText={t('remove')} cancelText={t('cancel')}>
                      <Button size="small" danger aria-label={`${t('remove')} #${l.id}`}>
                        {t('remove')}
                      </Button>
                    </Popconfirm>
                  ),
                },
              ]
            : []),
        ]}
      />
      <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('policyHistory')}</h2>} style={{ marginTop: 16 }}>
        <AuditHistory objectType="policy" />
      </Card>
      {manage && <AddLineDialog open={adding} onClose={() => setAdding(false)} />}
    </PageContainer>
  );
}

/** A new line: role, scope (picked), permission (from the vocabulary), allow or deny. */
function AddLineDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const t = useMessages(messages);
  const { message } = App.useApp();
  const qc = useQueryClient();
  const roleName = useRoleName();
  const roles = useRoles();
  const catalogue = usePermissionCatalogue();
  const [form] = Form.useForm<LineValues & { permission: string }>();
  // 409 (the same line was added meanwhile): the policy reloads.
  const reload = useReloadOnConflict(['admin', 'policy'], ['admin', 'audit', 'policy']);
  const add = useMutation({
    mutationFn: (v: LineValues & { permission: string }) => {
      const [object, action] = v.permission.split(':');
      return unwrap(api.POST('/api/v1/policy/lines', { body: { role: v.role, scope: scopeOf(v), object, action, effect: v.effect } }));
    },
    onSuccess: () => {
      message.success(t('lineAdded'));
      void qc.invalidateQueries({ queryKey: ['admin', 'policy'] });
      void qc.invalidateQueries({ queryKey: ['admin', 'audit', 'policy'] });
      form.resetFields();
      onClose();
    },
    onError: (err) => applyApiErrors(form, err, { fieldMap: { scope: ['scopeCode'], action: ['permission'], object: ['permission'] }, reload }),
  });
  const options = [
    { value: '*:*', label: `* (${t('anyObject')})` },
    ...(catalogue.data ?? []).flatMap((i) => [{ value: `${i.object}:*`, label: `${i.object}:* (${t('anyAction')})` }]),
    ...permissionOptions(catalogue.data),
  ];
  return (
    <Modal open={open} title={t('newLine')} onCancel={onClose} okText={t('create')} cancelText={t('cancel')} confirmLoading={add.isPending} onOk={() => form.submit()} forceRender>
      <Form form={form} layout="vertical" name="policy-line" initialValues={{ scopeKind: 'company', effect: 'allow' }} onFinish={(v) => add.mutate(v)}>
        <Form.Item name="role" label={t('role')} rules={[{ required: true, message: t('required') }]}>
          <Select showSearch={{ optionFilterProp: 'label' }} options={(roles.data ?? []).map((r) => ({ value: r.name, label: roleName(r.name) }))} />
        </Form.Item>
        <ScopeFields form={form} kinds={['company', 'dept', 'project']} />
        <Form.Item name="permission" label={t('permission')} rules={[{ required: true, message: t('required') }]}>
          <Select showSearch={{ optionFilterProp: 'label' }} loading={catalogue.isLoading} options={options} />
        </Form.Item>
        <Form.Item name="effect" label={t('effect')}>
          <Radio.Group
            options={[
              { value: 'allow', label: t('effect_allow') },
              { value: 'deny', label: t('effect_deny') },
            ]}
          />
        </Form.Item>
        <Typography.Text type="secondary">{t('policyIntro')}</Typography.Text>
      </Form>
    </Modal>
  );
}
