import { useState } from 'react';
import { App, Form, Input, InputNumber, Modal, Select, Switch, Table, Typography } from 'antd';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { Watermark } from '../../components/Watermark';
import { applyApiErrors } from '../../forms/apiErrors';
import { useMessages } from '../../i18n/messages';
import { useSession } from '../../session/SessionProvider';
import { projectScopes, useProjects } from '../../shared/org';
import { messages } from './messages';
import { scrollX } from './shared';
import type { CustomerRow } from './types';

interface Values {
  project: string;
  purpose: string;
  customerIds: number[];
  copies: number;
  usageDays: number;
  includePersonal: boolean;
}

/**
 * The customer picker: a name search over the project's customers (masked values only, from
 * GET /api/v1/customers) and ticked rows; nobody types an id. The search text is sent to the API
 * only (never into the console's URL or storage).
 */
function CustomerPicker({ project, value = [], onChange, id }: { project?: string; value?: number[]; onChange?: (v: number[]) => void; id?: string }) {
  const t = useMessages(messages);
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const pageSize = 10;
  const query = { project: project ?? '', ...(q ? { q } : {}), limit: pageSize, offset: (page - 1) * pageSize };
  const list = useQuery({
    queryKey: ['customers', 'print-picker', query],
    enabled: Boolean(project),
    queryFn: () => unwrap(api.GET('/api/v1/customers', { params: { query } })),
    placeholderData: keepPreviousData,
  });
  if (!project) return <Typography.Text type="secondary">{t('chooseProjectFirst')}</Typography.Text>;
  const total = (list.data as { total?: number } | undefined)?.total ?? 0;
  return (
    <div id={id}>
      <Input.Search
        aria-label={t('searchCustomers')}
        placeholder={t('searchCustomers')}
        enterButton={t('search')}
        allowClear
        maxLength={100}
        onSearch={(v) => {
          setQ(v.trim());
          setPage(1);
        }}
        style={{ marginBottom: 8 }}
      />
      <Table<CustomerRow>
        rowKey="id"
        size="small"
        scroll={scrollX(520, list.data?.items)}
        loading={list.isFetching}
        dataSource={list.data?.items ?? []}
        rowSelection={{
          selectedRowKeys: value,
          preserveSelectedRowKeys: true,
          onChange: (keys) => onChange?.(keys.map(Number)),
          getCheckboxProps: (r) => ({ 'aria-label': r.name }),
        }}
        pagination={{ current: page, pageSize, total, onChange: setPage, showSizeChanger: false, size: 'small' }}
        columns={[
          { title: t('name'), dataIndex: 'name' },
          { title: t('unit'), dataIndex: 'unit' },
          { title: t('phones'), dataIndex: 'phones', render: (p: string[]) => p.join(', ') },
        ]}
      />
      <Typography.Text type="secondary">{t('selected', { count: value.length })}</Typography.Text>
    </div>
  );
}

/** The new print request: project (where I may ask), purpose, customers (picked), copies, usage days. */
export function NewRequestModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const t = useMessages(messages);
  const { can } = useSession();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const project = Form.useWatch('project', form);
  const projects = (useProjects().data ?? []).filter((p) => can('print_request:create', projectScopes(p)));
  const create = useMutation({
    mutationFn: (v: Values) => unwrap(api.POST('/api/v1/print-requests', { body: v })),
    onSuccess: () => {
      message.success(t('submitted'));
      void qc.invalidateQueries({ queryKey: ['print-requests'] });
      form.resetFields();
      onClose();
    },
    onError: (err) => applyApiErrors(form, err),
  });
  return (
    <Modal
      open={open}
      title={t('newRequest')}
      width={860}
      okText={t('submit')}
      cancelText={t('cancel')}
      confirmLoading={create.isPending}
      onCancel={onClose}
      onOk={() => form.validateFields().then((v) => create.mutate(v), () => undefined)}
      destroyOnHidden
    >
      <Watermark>
        <Form<Values> form={form} layout="vertical" initialValues={{ copies: 1, usageDays: 7, includePersonal: false, customerIds: [] }}>
          <Form.Item name="project" label={t('project')} rules={[{ required: true }]}>
            <Select
              showSearch={{ optionFilterProp: 'label' }}
              options={projects.map((p) => ({ value: p.code, label: `${p.code} ${p.name}` }))}
              onChange={() => form.setFieldValue('customerIds', [])}
            />
          </Form.Item>
          <Form.Item name="purpose" label={t('purpose')} extra={t('purposeHelp')} rules={[{ required: true, min: 5, max: 500 }]}>
            <Input.TextArea rows={2} maxLength={500} />
          </Form.Item>
          <Form.Item
            name="customerIds"
            label={t('customers')}
            extra={t('customersHelp')}
            rules={[{ validator: (_, v: number[]) => (v?.length ? Promise.resolve() : Promise.reject(new Error(t('pickCustomers')))) }]}
          >
            <CustomerPicker project={project} />
          </Form.Item>
          <Form.Item name="copies" label={t('copies')} rules={[{ required: true }]}>
            <InputNumber min={1} max={20} precision={0} />
          </Form.Item>
          <Form.Item name="usageDays" label={t('usageDays')} rules={[{ required: true }]}>
            <InputNumber min={1} precision={0} />
          </Form.Item>
          <Form.Item name="includePersonal" label={t('includePersonal')} extra={t('includePersonalHelp')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Form>
      </Watermark>
    </Modal>
  );
}
