import { useState } from 'react';
import { Alert, App, Button, Card, Empty, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { PageContainer } from '../../components/PageContainer';
import { Watermark } from '../../components/Watermark';
import { applyApiErrors, showApiError } from '../../forms/apiErrors';
import { formatDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/messages';
import { useSession } from '../../session/SessionProvider';
import { ItemFormModal } from './ItemFormModal';
import { messages } from './messages';
import { INFO_CLASSES, type InfoClass, type InventoryItem } from './shared';

/**
 * /inventory — a department's customer-information inventory (R-INVENTORY, R-CLASSES): the
 * departments come from the user's inventory:read scopes; the department head (inventory:manage
 * there) adds, edits, reviews and deletes items. Only the department code goes into the URL.
 */
export default function InventoryPage() {
  const t = useMessages(messages);
  const { permissions, can } = useSession();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const scopes = permissions.find((p) => p.permission === 'inventory:read')?.scopes ?? [];
  const departments = useQuery({
    queryKey: ['departments'],
    queryFn: () => unwrap(api.GET('/api/v1/departments')).then((r) => r.items),
    staleTime: 300_000,
  });
  const codes = (departments.data ?? []).filter((d) => scopes.includes('*') || scopes.includes(`dept:${d.code}`));
  const [params, setParams] = useSearchParams();
  const chosen = params.get('department');
  const department = chosen && codes.some((d) => d.code === chosen) ? chosen : codes[0]?.code;
  const [infoClass, setInfoClass] = useState<InfoClass | 'all'>('all');
  const [editing, setEditing] = useState<InventoryItem | 'new' | null>(null);
  const [reviewing, setReviewing] = useState<InventoryItem | null>(null);

  const list = useQuery({
    queryKey: ['inventory', department, infoClass],
    enabled: !!department,
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/departments/{code}/inventory', {
          params: { path: { code: department! }, query: infoClass === 'all' ? {} : { infoClass } },
        }),
      ),
  });

  const remove = useMutation({
    mutationFn: (id: number) => unwrap(api.DELETE('/api/v1/inventory/{id}', { params: { path: { id: String(id) } } })).then(() => id),
    onSuccess: (id) => message.success(t('deleted', { id })),
    onError: (err) => showApiError(err),
    onSettled: () => qc.invalidateQueries({ queryKey: ['inventory'] }),
  });

  const mayManage = !!department && can('inventory:manage', `dept:${department}`);

  const columns = [
    { title: t('infoClass'), dataIndex: 'infoClass', width: 110, render: (c: InfoClass) => <Tag>{t(c)}</Tag> },
    { title: t('description'), dataIndex: 'description', render: (s: string) => <div style={{ wordBreak: 'break-word' }}>{s}</div> },
    { title: t('keeper'), key: 'keeper', width: 140, render: (_: unknown, i: InventoryItem) => i.keeperUsername ?? i.keeperName ?? '' },
    { title: t('location'), dataIndex: 'location', width: 120 },
    { title: t('approxCount'), dataIndex: 'approxCount', width: 100, align: 'right' as const, render: (n: number) => n.toLocaleString() },
    {
      title: t('lastReviewedAt'),
      dataIndex: 'lastReviewedAt',
      width: 150,
      render: (v: string | null) => (v ? formatDateTime(v) : <Tag color="orange">{t('neverReviewed')}</Tag>),
    },
    ...(mayManage
      ? [
          {
            title: t('actions'),
            key: 'actions',
            fixed: 'right' as const,
            width: 200,
            render: (_: unknown, i: InventoryItem) => (
              <Space wrap size={4}>
                <Button size="small" onClick={() => setEditing(i)} aria-label={t('editOf', { id: i.id })}>
                  {t('edit')}
                </Button>
                <Button size="small" onClick={() => setReviewing(i)} aria-label={t('reviewOf', { id: i.id })}>
                  {t('review')}
                </Button>
                <Popconfirm title={t('deleteConfirm')} okText={t('yes')} cancelText={t('no')} onConfirm={() => remove.mutateAsync(i.id).catch(() => undefined)}>
                  <Button size="small" danger aria-label={t('deleteOf', { id: i.id })}>
                    {t('delete')}
                  </Button>
                </Popconfirm>
              </Space>
            ),
          },
        ]
      : []),
  ];

  return (
    <Watermark>
      <PageContainer
        title={t('title')}
        description={t('intro')}
        extra={
          mayManage && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
              {t('add')}
            </Button>
          )
        }
      >
        {!departments.isLoading && codes.length === 0 ? (
          <Alert type="info" showIcon title={t('noDepartment')} />
        ) : (
          <Space orientation="vertical" size={16} style={{ width: '100%' }}>
            <Card size="small">
              <Form layout="inline">
                <Form.Item label={t('department')} htmlFor="inventory-department">
                  <Select
                    id="inventory-department"
                    style={{ minWidth: 220 }}
                    loading={departments.isLoading}
                    value={department}
                    placeholder={t('departmentPlaceholder')}
                    onChange={(code: string) => setParams({ department: code }, { replace: true })}
                    options={codes.map((d) => ({ value: d.code, label: `${d.code} ${d.name}` }))}
                    showSearch={{ optionFilterProp: 'label' }}
                  />
                </Form.Item>
                <Form.Item label={t('infoClass')} htmlFor="inventory-class">
                  <Select
                    id="inventory-class"
                    style={{ minWidth: 140 }}
                    value={infoClass}
                    onChange={setInfoClass}
                    options={[{ value: 'all', label: t('classAll') }, ...INFO_CLASSES.map((c) => ({ value: c, label: t(c) }))]}
                  />
                </Form.Item>
              </Form>
            </Card>
            <Table<InventoryItem>
              rowKey="id"
              size="middle"
              scroll={{ x: 980 }}
              columns={columns}
              loading={list.isFetching}
              dataSource={list.data?.items ?? []}
              locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} /> }}
              pagination={{ defaultPageSize: 20, pageSizeOptions: [20, 50, 100], showSizeChanger: true, showTotal: (total) => t('total', { total }) }}
            />
          </Space>
        )}
      </PageContainer>
      {editing !== null && department && <ItemFormModal department={department} item={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
      {reviewing && <ReviewModal item={reviewing} onClose={() => setReviewing(null)} />}
    </Watermark>
  );
}

/** POST /api/v1/inventory/:id/review with an optional note (kept as the audit event's reason). */
function ReviewModal({ item, onClose }: { item: InventoryItem; onClose: () => void }) {
  const t = useMessages(messages);
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ note?: string }>();
  const review = useMutation({
    mutationFn: (v: { note?: string }) =>
      unwrap(api.POST('/api/v1/inventory/{id}/review', { params: { path: { id: String(item.id) } }, body: v.note?.trim() ? { note: v.note.trim() } : {} })),
    onSuccess: () => {
      message.success(t('reviewed', { id: item.id }));
      void qc.invalidateQueries({ queryKey: ['inventory'] });
      onClose();
    },
    onError: (err) => applyApiErrors(form, err),
  });
  return (
    <Modal open title={t('reviewTitle', { id: item.id })} onCancel={onClose} onOk={() => form.submit()} okText={t('review')} cancelText={t('cancel')} confirmLoading={review.isPending} destroyOnHidden>
      <Form form={form} layout="vertical" onFinish={(v) => review.mutate(v)} autoComplete="off">
        <Typography.Paragraph type="secondary">{t('reviewHint')}</Typography.Paragraph>
        <Typography.Paragraph strong>{item.description}</Typography.Paragraph>
        <Form.Item name="note" label={t('reviewNote')}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
