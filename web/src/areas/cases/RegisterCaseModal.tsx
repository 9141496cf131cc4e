import { useMemo } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Form, Input, InputNumber, Modal, Select, Space, Typography } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { api, unwrap } from '../../api/client';
import { feedback } from '../../components/feedback';
import { Watermark } from '../../components/Watermark';
import { applyApiErrors } from '../../forms/apiErrors';
import { useMessages } from '../../i18n/messages';
import { useSession } from '../../session/SessionProvider';
import { projectScopes, useProjects } from '../../shared/org';
import { messages } from './messages';
import { CaseView, CHANNELS, label, TYPES } from './shared';

interface Values {
  project: string;
  customerId: number;
  channel: CaseView['channel'];
  type: CaseView['type'];
  request: string;
  notes?: string;
  items?: { product?: string; orderNo?: string; quantity?: number | null; defectiveQuantity?: number | null }[];
}

const clean = (s: string | undefined) => (s && s.trim() ? s.trim() : undefined);
const num = (n: number | null | undefined) => (n === null || n === undefined ? undefined : n);

/**
 * Registers a case (POST /api/v1/cases; numbered and dated by the server, R-CASE-NO, R-CASE-DEADLINE).
 * The customer picker lists the project's customers as the API shows them (masked) and filters them
 * here: the search text never goes into a URL. Rendered inside a <Watermark> (CasesPage), which antd
 * passes on to the dialog; the picker's list carries its own.
 */
export function RegisterCaseModal({ onClose, onRegistered }: { onClose: () => void; onRegistered: (c: CaseView) => void }) {
  const t = useMessages(messages);
  const { can } = useSession();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const projects = useProjects();
  const project = Form.useWatch('project', form);

  const projectOptions = useMemo(
    () =>
      (projects.data ?? [])
        .filter((p) => can('case:create', projectScopes(p)))
        .map((p) => ({ value: p.code, label: `${p.code} ${p.name}` })),
    [projects.data, can],
  );

  const customers = useQuery({
    queryKey: ['cases', 'customer-picker', project],
    queryFn: () => unwrap(api.GET('/api/v1/customers', { params: { query: { project: project!, limit: 500, offset: 0 } } })),
    enabled: !!project,
  });

  const register = useMutation({
    mutationFn: (v: Values) =>
      unwrap(
        api.POST('/api/v1/cases', {
          body: {
            project: v.project,
            customerId: v.customerId,
            channel: v.channel,
            type: v.type,
            request: v.request.trim(),
            ...(clean(v.notes) ? { notes: clean(v.notes) } : {}),
            ...(v.items?.length
              ? {
                  items: v.items.map((i) => ({
                    product: clean(i.product),
                    orderNo: clean(i.orderNo),
                    quantity: num(i.quantity),
                    defectiveQuantity: num(i.defectiveQuantity),
                  })),
                }
              : {}),
          },
        }),
      ),
    onSuccess: (c) => {
      void qc.invalidateQueries({ queryKey: ['cases'] });
      feedback().message.success(t('registered', { caseNo: c.caseNo }));
      onRegistered(c);
    },
    onError: (err) => applyApiErrors(form, err),
  });

  return (
    <Modal
      open
      title={t('registerTitle')}
      onCancel={onClose}
      okText={t('submit')}
      cancelText={t('cancel')}
      confirmLoading={register.isPending}
      onOk={() => form.submit()}
      width={720}
      destroyOnHidden
    >
      <Form<Values>
        form={form}
        layout="vertical"
        initialValues={{ project: projectOptions.length === 1 ? projectOptions[0].value : undefined, channel: 'phone', type: 'quality_complaint' }}
        onFinish={(v) => register.mutate(v)}
      >
        <Form.Item name="project" label={t('project')} rules={[{ required: true, message: t('projectRequired') }]}>
          <Select options={projectOptions} loading={projects.isLoading} onChange={() => form.setFieldValue('customerId', undefined)} />
        </Form.Item>
        <Form.Item name="customerId" label={t('customerPick')} extra={t('customerPickHint')} rules={[{ required: true, message: t('customerRequired') }]}>
          <Select
            showSearch={{ optionFilterProp: 'label' }}
            disabled={!project}
            loading={customers.isFetching}
            // The list of customers opens outside the dialog: it carries the watermark too.
            popupRender={(menu) => <Watermark>{menu}</Watermark>}
            options={(customers.data?.items ?? []).map((c) => ({
              value: c.id,
              label: [c.name, c.unit, c.phones[0]].filter(Boolean).join(' · '),
            }))}
          />
        </Form.Item>
        <Space wrap size="middle" style={{ display: 'flex' }}>
          <Form.Item name="channel" label={t('channel')} rules={[{ required: true, message: t('channelRequired') }]}>
            <Select style={{ width: 200 }} options={CHANNELS.map((c) => ({ value: c, label: label(t, 'ch', c) }))} />
          </Form.Item>
          <Form.Item name="type" label={t('type')} rules={[{ required: true, message: t('typeRequired') }]}>
            <Select style={{ width: 220 }} options={TYPES.map((c) => ({ value: c, label: label(t, 'ty', c) }))} />
          </Form.Item>
        </Space>
        <Form.Item name="request" label={t('request')} rules={[{ required: true, whitespace: true, message: t('requestRequired') }, { max: 4000 }]}>
          <Input.TextArea rows={3} maxLength={4000} showCount />
        </Form.Item>
        <Typography.Text strong>{t('items')}</Typography.Text>
        <Form.List name="items">
          {(fields, { add, remove }) => (
            <>
              {fields.map((f, i) => (
                <Space key={f.key} wrap align="start" style={{ display: 'flex', marginTop: 8 }}>
                  <Form.Item
                    name={[f.name, 'product']}
                    label={t('product')}
                    rules={[
                      ({ getFieldValue }) => ({
                        validator: (_r, v) => (clean(v) || clean(getFieldValue(['items', f.name, 'orderNo'])) ? Promise.resolve() : Promise.reject(new Error(t('itemNeedsOne')))),
                      }),
                    ]}
                  >
                    <Input style={{ width: 180 }} maxLength={200} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'orderNo']} label={t('orderNo')}>
                    <Input style={{ width: 140 }} maxLength={60} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'quantity']} label={t('quantity')}>
                    <InputNumber min={0} precision={0} style={{ width: 100 }} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'defectiveQuantity']} label={t('defectiveQuantity')}>
                    <InputNumber min={0} precision={0} style={{ width: 100 }} />
                  </Form.Item>
                  <Button type="text" icon={<MinusCircleOutlined />} aria-label={t('removeItem', { n: i + 1 })} onClick={() => remove(f.name)} style={{ marginTop: 30 }} />
                </Space>
              ))}
              <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({})} style={{ margin: '8px 0 16px' }} disabled={fields.length >= 50}>
                {t('addItem')}
              </Button>
            </>
          )}
        </Form.List>
        <Form.Item name="notes" label={t('notes')} rules={[{ max: 4000 }]}>
          <Input.TextArea rows={2} maxLength={4000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
