import { useEffect, useRef } from 'react';
import { App, Button, Form, Input, Modal, Radio, Space, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { applyApiErrors, useReloadOnConflict } from '../../forms/apiErrors';
import { useMessages } from '../../i18n/messages';
import { messages } from './messages';
import type { CustomerView } from './shared';

interface Values {
  name: string;
  unit: string;
  nationality: 'domestic' | 'foreign';
  phones?: string[];
  idNumber?: string;
  employer?: string;
  email?: string;
  emergencyContact?: string;
  notes?: string;
}

const blank = (s: string | undefined) => (s ?? '').trim() === '';

/**
 * Create (project given) or edit (customer given) a customer record. 400s land beside their
 * fields with the typed input kept (applyApiErrors). The typed values live only in the form.
 */
export function CustomerFormModal({
  open,
  project,
  customer,
  onClose,
  onSaved,
}: {
  open: boolean;
  project?: string;
  customer?: CustomerView;
  onClose: () => void;
  onSaved?: (c: CustomerView) => void;
}) {
  const t = useMessages(messages);
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const editing = !!customer;

  // Filled once each time it opens: a reload of the record meanwhile (a 409 reloads it) keeps what was typed.
  const filled = useRef(false);
  useEffect(() => {
    if (!open) {
      filled.current = false;
      return;
    }
    if (filled.current) return;
    filled.current = true;
    form.resetFields();
    if (customer) form.setFieldsValue({ name: customer.name, unit: customer.unit, nationality: customer.nationality, phones: [] });
    else form.setFieldsValue({ nationality: 'domestic', phones: [''] });
  }, [open, customer, form]);

  // 409 (another record of the project has the number): the message, and the customers reload.
  const reload = useReloadOnConflict(['customers']);
  const save = useMutation({
    gcTime: 0,
    mutationFn: async (v: Values) => {
      const phones = (v.phones ?? []).map((p) => p ?? '').filter((p) => !blank(p));
      const opt = (s: string | undefined) => (blank(s) ? undefined : s!.trim());
      if (!customer) {
        return unwrap(
          api.POST('/api/v1/customers', {
            body: {
              project: project!,
              name: v.name,
              unit: v.unit,
              nationality: v.nationality,
              phones,
              idNumber: opt(v.idNumber) ?? null,
              employer: opt(v.employer) ?? null,
              email: opt(v.email) ?? null,
              emergencyContact: opt(v.emergencyContact) ?? null,
              notes: opt(v.notes) ?? null,
            },
          }),
        );
      }
      // Only what was changed or typed: masked values are never sent back as if they were the originals.
      const body: Record<string, unknown> = {};
      if (v.name !== customer.name) body.name = v.name;
      if (v.unit !== customer.unit) body.unit = v.unit;
      if (v.nationality !== customer.nationality) body.nationality = v.nationality;
      if (phones.length) body.phones = phones;
      for (const k of ['idNumber', 'employer', 'email', 'emergencyContact', 'notes'] as const) if (opt(v[k]) !== undefined) body[k] = opt(v[k]);
      if (!Object.keys(body).length) return customer;
      return unwrap(api.PATCH('/api/v1/customers/{id}', { params: { path: { id: String(customer.id) } }, body }));
    },
    onSuccess: (c) => {
      void qc.invalidateQueries({ queryKey: ['customers'] });
      message.success(editing ? t('saved') : t('created'));
      form.resetFields();
      onSaved?.(c);
      onClose();
    },
    onError: (err) => applyApiErrors(form, err, { reload }),
  });

  return (
    <Modal
      open={open}
      title={editing ? t('editTitle') : t('create')}
      onCancel={onClose}
      okText={t('save')}
      cancelText={t('cancel')}
      onOk={() => form.submit()}
      confirmLoading={save.isPending}
      destroyOnHidden
      width={640}
    >
      {editing && <Typography.Paragraph type="secondary">{t('editIntro')}</Typography.Paragraph>}
      <Form form={form} layout="vertical" onFinish={(v) => save.mutate(v)} autoComplete="off" preserve={false}>
        <Form.Item name="name" label={t('name')} rules={[{ required: true, whitespace: true, message: t('required') }, { max: 100 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="unit" label={t('unit')} rules={[{ required: true, whitespace: true, message: t('required') }, { max: 200 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="nationality" label={t('nationality')}>
          <Radio.Group
            options={[
              { value: 'domestic', label: t('domestic') },
              { value: 'foreign', label: t('foreign') },
            ]}
          />
        </Form.Item>
        <Form.Item label={t('phones')} extra={editing ? t('phonesReplace') : undefined} style={{ marginBottom: 0 }}>
          <Form.List name="phones">
            {(fields, { add, remove }) => (
              <>
                {fields.map((f, i) => (
                  <Space key={f.key} align="start" style={{ display: 'flex' }}>
                    <Form.Item name={f.name} label={t('phone', { n: i + 1 })} rules={[{ max: 40 }]} style={{ minWidth: 280 }}>
                      <Input inputMode="tel" />
                    </Form.Item>
                    <Button
                      aria-label={t('removePhone', { n: i + 1 })}
                      icon={<DeleteOutlined />}
                      onClick={() => remove(f.name)}
                      style={{ marginTop: 30 }}
                    />
                  </Space>
                ))}
                {fields.length < 5 && (
                  <Form.Item>
                    <Button type="dashed" icon={<PlusOutlined />} onClick={() => add('')}>
                      {t('addPhone')}
                    </Button>
                  </Form.Item>
                )}
              </>
            )}
          </Form.List>
        </Form.Item>
        <Form.Item name="idNumber" label={t('idNumber')} rules={[{ max: 30 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="employer" label={t('employer')} rules={[{ max: 200 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="email" label={t('email')} rules={[{ max: 200 }]}>
          <Input type="email" />
        </Form.Item>
        <Form.Item name="emergencyContact" label={t('emergencyContact')} rules={[{ max: 200 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="notes" label={t('notes')} rules={[{ max: 4000 }]}>
          <Input.TextArea rows={3} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
