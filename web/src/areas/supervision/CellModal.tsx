import { useState } from 'react';
import { Button, Empty, Form, Input, List, Modal, Popconfirm, Select, Space, Typography } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { feedback } from '../../components/feedback';
import { applyApiErrors, showApiError, useReloadOnConflict } from '../../forms/apiErrors';
import { useMessages } from '../../i18n/messages';
import { messages } from './messages';
import { levelOf } from './risk';
import type { Assessment, RiskItem } from './types';

type Values = { description: string; likelihood: number; impact: number };
const SCORES = [1, 2, 3, 4, 5].map((n) => ({ value: n, label: String(n) }));

/**
 * One cell of the risk matrix: its risk items (edit, remove) and a form to add one there. A risk
 * item's likelihood and impact may be changed, which moves it to another cell.
 */
export function CellModal({ a, likelihood, impact, editable, onClose }: { a: Assessment; likelihood: number; impact: number; editable: boolean; onClose: () => void }) {
  const t = useMessages(messages);
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [editing, setEditing] = useState<RiskItem | null>(null);
  const items = a.items.filter((r) => r.likelihood === likelihood && r.impact === impact);
  const key = ['assessment', a.id];
  const reload = useReloadOnConflict(key, ['assessments']);
  const done = (text: string) => () => {
    void qc.invalidateQueries({ queryKey: key });
    void qc.invalidateQueries({ queryKey: ['assessments'] });
    feedback().message.success(text);
    setEditing(null);
    form.resetFields();
  };
  const save = useMutation({
    mutationFn: (v: Values) =>
      editing
        ? unwrap(api.PATCH('/api/v1/risk-assessments/{id}/items/{itemId}', { params: { path: { id: a.id, itemId: editing.id } }, body: v }))
        : unwrap(api.POST('/api/v1/risk-assessments/{id}/items', { params: { path: { id: String(a.id) } }, body: v })),
    onSuccess: () => done(editing ? t('itemSaved') : t('itemAdded'))(),
    onError: (err) => {
      applyApiErrors(form, err, { reload });
      void qc.invalidateQueries({ queryKey: key });
    },
  });
  const remove = useMutation({
    mutationFn: (itemId: number) => unwrap(api.DELETE('/api/v1/risk-assessments/{id}/items/{itemId}', { params: { path: { id: a.id, itemId } } })),
    onSuccess: () => done(t('itemRemoved'))(),
    onError: (err) => showApiError(err, { reload }),
  });
  const level = t(`lv_${levelOf(likelihood, impact)}`);

  return (
    <Modal open title={t('cellTitle', { l: likelihood, i: impact, level })} footer={null} onCancel={onClose} width={640} destroyOnHidden>
      <Typography.Title level={3} style={{ fontSize: 14 }}>
        {t('riskItems')}
      </Typography.Title>
      {items.length ? (
        <List
          size="small"
          dataSource={items}
          renderItem={(r) => (
            <List.Item
              actions={
                editable
                  ? [
                      <Button
                        key="e"
                        size="small"
                        aria-label={`${t('edit')}: ${r.description}`}
                        onClick={() => {
                          setEditing(r);
                          form.setFieldsValue({ description: r.description, likelihood: r.likelihood, impact: r.impact });
                        }}
                      >
                        {t('edit')}
                      </Button>,
                      <Popconfirm key="r" title={t('confirmRemove')} okText={t('remove')} cancelText={t('cancel')} onConfirm={() => remove.mutateAsync(r.id)}>
                        <Button size="small" danger aria-label={`${t('remove')}: ${r.description}`}>
                          {t('remove')}
                        </Button>
                      </Popconfirm>,
                    ]
                  : []
              }
            >
              {r.description}
            </List.Item>
          )}
        />
      ) : (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noRiskItems')} />
      )}
      {editable && (
        <>
          <Typography.Title level={3} style={{ fontSize: 14, marginTop: 16 }}>
            {editing ? t('edit') : t('addRiskItem')}
          </Typography.Title>
          <Form form={form} layout="vertical" initialValues={{ likelihood, impact }} onFinish={(v) => save.mutate(v)}>
            <Form.Item name="description" label={t('riskDescription')} rules={[{ required: true, whitespace: true, message: t('required') }]}>
              <Input.TextArea rows={3} maxLength={1000} />
            </Form.Item>
            <Space wrap>
              <Form.Item name="likelihood" label={t('likelihood')} rules={[{ required: true }]}>
                <Select options={SCORES} style={{ width: 100 }} />
              </Form.Item>
              <Form.Item name="impact" label={t('impact')} rules={[{ required: true }]}>
                <Select options={SCORES} style={{ width: 100 }} />
              </Form.Item>
            </Space>
            <Space>
              <Button type="primary" htmlType="submit" loading={save.isPending}>
                {editing ? t('save') : t('add')}
              </Button>
              {editing && (
                <Button
                  onClick={() => {
                    setEditing(null);
                    form.resetFields();
                  }}
                >
                  {t('cancel')}
                </Button>
              )}
            </Space>
          </Form>
        </>
      )}
    </Modal>
  );
}
