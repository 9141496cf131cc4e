import { App, Form, Input, InputNumber, Modal, Radio, Select } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { applyApiErrors } from '../../forms/apiErrors';
import { useMessages } from '../../i18n/messages';
import { useSession } from '../../session/SessionProvider';
import { messages } from './messages';
import { INFO_CLASSES, type InfoClass, type InventoryItem } from './shared';

type Values = {
  infoClass: InfoClass;
  description: string;
  keeperKind: 'user' | 'name';
  keeperUserId?: number;
  keeperName?: string;
  location: string;
  approxCount: number;
};

/**
 * Add (POST /departments/:code/inventory) or edit (PATCH /inventory/:id) an item. The keeper is
 * a user or a named person without an account, exactly one. There is no people picker for
 * keepers yet: a user keeper is the current one or the signed-in department head.
 */
export function ItemFormModal({ department, item, onClose }: { department: string; item: InventoryItem | null; onClose: () => void }) {
  const t = useMessages(messages);
  const { user } = useSession();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const kind = Form.useWatch('keeperKind', form);

  const save = useMutation({
    mutationFn: (v: Values) => {
      const keeper = v.keeperKind === 'user' ? { keeperUserId: v.keeperUserId! } : { keeperName: v.keeperName!.trim() };
      const body = { infoClass: v.infoClass, description: v.description.trim(), location: v.location.trim(), approxCount: v.approxCount, ...keeper };
      return item
        ? unwrap(api.PATCH('/api/v1/inventory/{id}', { params: { path: { id: String(item.id) } }, body }))
        : unwrap(api.POST('/api/v1/departments/{code}/inventory', { params: { path: { code: department } }, body }));
    },
    onSuccess: () => {
      message.success(item ? t('saved') : t('added'));
      void qc.invalidateQueries({ queryKey: ['inventory'] });
      onClose();
    },
    onError: (err) => applyApiErrors(form, err),
  });

  const userOptions = [
    { value: user.id, label: t('me', { name: user.displayName || user.username }) },
    ...(item?.keeperUserId && item.keeperUserId !== user.id ? [{ value: item.keeperUserId, label: t('current', { name: item.keeperUsername ?? `#${item.keeperUserId}` }) }] : []),
  ];

  const initial: Partial<Values> = item
    ? {
        infoClass: item.infoClass,
        description: item.description,
        keeperKind: item.keeperUserId ? 'user' : 'name',
        keeperUserId: item.keeperUserId ?? undefined,
        keeperName: item.keeperName ?? undefined,
        location: item.location,
        approxCount: item.approxCount,
      }
    : { keeperKind: 'name' };

  return (
    <Modal
      open
      title={item ? t('editTitle', { id: item.id }) : t('addTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('save')}
      cancelText={t('cancel')}
      confirmLoading={save.isPending}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" initialValues={initial} onFinish={(v) => save.mutate(v)} autoComplete="off">
        <Form.Item name="infoClass" label={t('infoClass')} rules={[{ required: true, message: t('classRequired') }]}>
          <Select options={INFO_CLASSES.map((c) => ({ value: c, label: t(c) }))} />
        </Form.Item>
        <Form.Item name="description" label={t('description')} rules={[{ required: true, whitespace: true, message: t('descriptionRequired') }]}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
        <Form.Item name="keeperKind" label={t('keeperKind')}>
          <Radio.Group
            options={[
              { value: 'name', label: t('keeperNamed') },
              { value: 'user', label: t('keeperUser') },
            ]}
          />
        </Form.Item>
        {kind === 'user' ? (
          <Form.Item name="keeperUserId" label={t('keeperUserLabel')} extra={t('keeperUserHint')} rules={[{ required: true, message: t('keeperRequired') }]}>
            <Select options={userOptions} />
          </Form.Item>
        ) : (
          <Form.Item name="keeperName" label={t('keeperNameLabel')} rules={[{ required: true, whitespace: true, message: t('keeperRequired') }]}>
            <Input maxLength={200} />
          </Form.Item>
        )}
        <Form.Item name="location" label={t('location')} rules={[{ required: true, whitespace: true, message: t('locationRequired') }]}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="approxCount" label={t('approxCount')} rules={[{ required: true, type: 'integer', min: 0, message: t('countRequired') }]}>
          <InputNumber min={0} precision={0} style={{ width: 200 }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
