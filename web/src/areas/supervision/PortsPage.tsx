import { useState } from 'react';
import { Button, Checkbox, Form, Input, Modal, Select, Space, Table } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { PageContainer } from '../../components/PageContainer';
import { feedback } from '../../components/feedback';
import { applyApiErrors, showApiError, useReloadOnConflict } from '../../forms/apiErrors';
import { formatDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/messages';
import { useSession } from '../../session/SessionProvider';
import { useDepartments, usePeople } from './hooks';
import { messages } from './messages';
import { StatusTag } from './StatusTag';
import type { Port } from './types';

/** /supervision/ports: each department's register of computers and their USB / burner status (R-PORTS). */
export default function PortsPage() {
  const t = useMessages(messages);
  const { can, permissions } = useSession();
  const scopes = permissions.find((p) => p.permission === 'port_register:read')?.scopes ?? [];
  const companyWide = scopes.includes('*');
  const departments = useDepartments(companyWide);
  const options = companyWide
    ? (departments.data ?? []).map((d) => ({ value: d.code, label: `${d.code} ${d.name}` }))
    : scopes.filter((s) => s.startsWith('dept:')).map((s) => ({ value: s.slice(5), label: s.slice(5) }));
  const [picked, setPicked] = useState<string | undefined>();
  const dept = picked ?? options[0]?.value;
  const [openOnly, setOpenOnly] = useState(false);
  const [adding, setAdding] = useState(false);
  const qc = useQueryClient();
  const list = useQuery({
    queryKey: ['ports', dept, openOnly],
    enabled: !!dept,
    queryFn: () =>
      unwrap(api.GET('/api/v1/departments/{code}/ports', { params: { path: { code: dept! }, query: openOnly ? { open: 'true' } : {} } })),
  });
  const manage = !!dept && can('port_register:manage', `dept:${dept}`);
  // 409 (verified, or the port changed, meanwhile): the message, and the register reloads.
  const reload = useReloadOnConflict(['ports']);
  const verify = useMutation({
    mutationFn: (id: number) => unwrap(api.POST('/api/v1/ports/{id}/verify', { params: { path: { id: String(id) } }, body: {} })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['ports'] });
      feedback().message.success(t('verified'));
    },
    onError: (err) => showApiError(err, { reload }),
  });
  const status = (s: string) => <StatusTag tone={s === 'open' ? 'danger' : s === 'sealed' ? 'ok' : 'neutral'}>{t(`ps_${s as 'open'}`)}</StatusTag>;
  return (
    <PageContainer
      title={t('portsTitle')}
      description={t('portsIntro')}
      extra={
        manage && (
          <Button type="primary" onClick={() => setAdding(true)}>
            {t('addPort')}
          </Button>
        )
      }
    >
      <Space wrap style={{ marginBottom: 16 }}>
        <Select aria-label={t('department')} placeholder={t('pickDepartment')} style={{ width: 220 }} options={options} value={dept} onChange={setPicked} showSearch optionFilterProp="label" />
        <Checkbox checked={openOnly} onChange={(e) => setOpenOnly(e.target.checked)}>
          {t('openOnly')}
        </Checkbox>
      </Space>
      <Table<Port>
        rowKey="id"
        scroll={{ x: 980 }}
        loading={list.isLoading}
        dataSource={list.data?.items}
        locale={{ emptyText: t('noPorts') }}
        pagination={{ pageSize: 50, showTotal: (n) => t('count', { n }) }}
        columns={[
          { title: t('assetTag'), dataIndex: 'assetTag' },
          { title: t('user'), key: 'u', render: (_, p) => p.username ?? p.userName ?? '' },
          { title: t('location'), dataIndex: 'location' },
          { title: t('usb'), dataIndex: 'usbStatus', render: status },
          { title: t('burner'), dataIndex: 'burnerStatus', render: status },
          { title: t('decision'), dataIndex: 'decision' },
          { title: t('approvedBy'), dataIndex: 'approvedBy', render: (a: string | null, p) => a ?? p.approvedById },
          { title: t('lastVerified'), dataIndex: 'lastVerifiedAt', render: (v: string | null) => formatDateTime(v) },
          ...(manage
            ? [
                {
                  title: t('actions'),
                  key: 'a',
                  render: (_: unknown, p: Port) => (
                    <Button size="small" onClick={() => verify.mutate(p.id)} aria-label={`${t('verify')}: ${p.assetTag}`}>
                      {t('verify')}
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
      {adding && dept && <AddPort dept={dept} onClose={() => setAdding(false)} />}
    </PageContainer>
  );
}

type PortValues = { assetTag: string; userName: string; location: string; usbStatus: Port['usbStatus']; burnerStatus: Port['burnerStatus']; decision: string; approvedById: number };

function AddPort({ dept, onClose }: { dept: string; onClose: () => void }) {
  const t = useMessages(messages);
  const qc = useQueryClient();
  const [form] = Form.useForm<PortValues>();
  const people = usePeople(`dept:${dept}`);
  // 409: the asset is registered already (someone else added it): the register shows it.
  const reload = useReloadOnConflict(['ports']);
  const add = useMutation({
    mutationFn: (body: PortValues) => unwrap(api.POST('/api/v1/departments/{code}/ports', { params: { path: { code: dept } }, body })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['ports'] });
      feedback().message.success(t('saved'));
      onClose();
    },
    onError: (err) => applyApiErrors(form, err, { reload }),
  });
  const statuses = (list: readonly string[]) => list.map((s) => ({ value: s, label: t(`ps_${s as 'open'}`) }));
  return (
    <Modal open title={t('addPort')} okText={t('save')} cancelText={t('cancel')} onCancel={onClose} onOk={() => form.submit()} confirmLoading={add.isPending}>
      <Form form={form} layout="vertical" initialValues={{ usbStatus: 'sealed', burnerStatus: 'none' }} onFinish={(v) => add.mutate(v)}>
        <Form.Item name="assetTag" label={t('assetTag')} rules={[{ required: true, whitespace: true, message: t('required') }]}>
          <Input maxLength={60} />
        </Form.Item>
        <Form.Item name="userName" label={t('userName')} rules={[{ required: true, whitespace: true, message: t('required') }]}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="location" label={t('location')} rules={[{ required: true, whitespace: true, message: t('required') }]}>
          <Input maxLength={200} />
        </Form.Item>
        <Space wrap>
          <Form.Item name="usbStatus" label={t('usb')}>
            <Select options={statuses(['sealed', 'open'])} style={{ width: 140 }} />
          </Form.Item>
          <Form.Item name="burnerStatus" label={t('burner')}>
            <Select options={statuses(['sealed', 'open', 'none'])} style={{ width: 140 }} />
          </Form.Item>
        </Space>
        <Form.Item name="decision" label={t('decision')} rules={[{ required: true, whitespace: true, message: t('required') }]}>
          <Input.TextArea rows={2} maxLength={1000} />
        </Form.Item>
        <Form.Item name="approvedById" label={t('approvedBy')} rules={[{ required: true, message: t('required') }]}>
          <Select showSearch optionFilterProp="label" loading={people.isLoading} options={(people.data ?? []).map((p) => ({ value: p.id, label: `${p.displayName} (${p.username})` }))} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
