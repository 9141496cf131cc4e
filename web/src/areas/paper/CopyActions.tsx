import { App, DatePicker, Form, Input, Modal, Select } from 'antd';
import type { Dayjs } from 'dayjs';
import { useMutation } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { applyApiErrors } from '../../forms/apiErrors';
import { useMessages } from '../../i18n/messages';
import { useSession } from '../../session/SessionProvider';
import { PersonSelect, usePeople } from '../../shared/people';
import { messages } from './messages';
import { DESTRUCTION_METHODS, type Copy } from './types';

interface ActionProps {
  open: boolean;
  copy: Copy;
  onClose: () => void;
  onDone: () => void;
}

/** The recipient returns the copy to a keeper (a supervisor of the project), who confirms in their own session. */
export function ReturnModal({ open, copy, onClose, onDone }: ActionProps) {
  const t = useMessages(messages);
  const { message } = App.useApp();
  const { user } = useSession();
  const [form] = Form.useForm<{ keeperUserId: number; note?: string }>();
  const keepers = usePeople('controlled_copy:witness', open ? `project:${copy.project}` : undefined, { exclude: [user.id] });
  const m = useMutation({
    mutationFn: (v: { keeperUserId: number; note?: string }) =>
      unwrap(api.POST('/api/v1/copies/{serial}/return', { params: { path: { serial: copy.serial } }, body: { keeperUserId: v.keeperUserId, ...(v.note ? { note: v.note } : {}) } })),
    onSuccess: () => {
      message.success(t('returnRecorded'));
      onDone();
      onClose();
    },
    onError: (err) => {
      applyApiErrors(form, err);
      onDone();
    },
  });
  return (
    <Modal
      open={open}
      title={t('returnTitle', { serial: copy.serial })}
      okText={t('returnCopy')}
      cancelText={t('cancel')}
      confirmLoading={m.isPending}
      onCancel={onClose}
      onOk={() => form.validateFields().then((v) => m.mutate(v), () => undefined)}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" preserve={false}>
        <Form.Item name="keeperUserId" label={t('keeper')} extra={t('keeperHelp')} rules={[{ required: true }]}>
          <PersonSelect people={keepers.data} loading={keepers.isFetching} />
        </Form.Item>
        <Form.Item name="note" label={t('note')} rules={[{ max: 500 }]}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

interface DestroyValues {
  method: (typeof DESTRUCTION_METHODS)[number];
  place: string;
  destroyedAt?: Dayjs;
  witnessUserId: number;
  note?: string;
}

/** The holder or a supervisor records the destruction naming a witness (another supervisor), who confirms in their own session. */
export function DestroyModal({ open, copy, onClose, onDone }: ActionProps) {
  const t = useMessages(messages);
  const { message } = App.useApp();
  const { user } = useSession();
  const [form] = Form.useForm<DestroyValues>();
  const exclude = [user.id, copy.holder?.id ?? 0, copy.returnedTo?.id ?? 0];
  const witnesses = usePeople('controlled_copy:witness', open ? `project:${copy.project}` : undefined, { exclude });
  const m = useMutation({
    mutationFn: (v: DestroyValues) =>
      unwrap(
        api.POST('/api/v1/copies/{serial}/destroy', {
          params: { path: { serial: copy.serial } },
          body: {
            method: v.method,
            place: v.place,
            witnessUserId: v.witnessUserId,
            ...(v.note ? { note: v.note } : {}),
            ...(v.destroyedAt ? { destroyedAt: v.destroyedAt.format('YYYY-MM-DDTHH:mm:ssZ') } : {}),
          },
        }),
      ),
    onSuccess: () => {
      message.success(t('destructionRecorded'));
      onDone();
      onClose();
    },
    onError: (err) => {
      applyApiErrors(form, err);
      onDone();
    },
  });
  return (
    <Modal
      open={open}
      title={t('destroyTitle', { serial: copy.serial })}
      okText={t('destroy')}
      okButtonProps={{ danger: true }}
      cancelText={t('cancel')}
      confirmLoading={m.isPending}
      onCancel={onClose}
      onOk={() => form.validateFields().then((v) => m.mutate(v), () => undefined)}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" preserve={false} initialValues={{ method: 'shredding' }}>
        <Form.Item name="method" label={t('method')} rules={[{ required: true }]}>
          <Select options={DESTRUCTION_METHODS.map((x) => ({ value: x, label: t(`m_${x}`) }))} />
        </Form.Item>
        <Form.Item name="place" label={t('place')} rules={[{ required: true, min: 2, max: 200 }]}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="destroyedAt" label={t('destroyedAt')}>
          <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" />
        </Form.Item>
        <Form.Item name="witnessUserId" label={t('witness')} extra={t('witnessHelp')} rules={[{ required: true }]}>
          <PersonSelect people={witnesses.data} loading={witnesses.isFetching} />
        </Form.Item>
        <Form.Item name="note" label={t('note')} rules={[{ max: 500 }]}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** The holder or a supervisor reports the copy lost: an incident is opened (R-PENALTY). */
export function LostModal({ open, copy, onClose, onDone }: ActionProps) {
  const t = useMessages(messages);
  const { message } = App.useApp();
  const [form] = Form.useForm<{ description: string }>();
  const m = useMutation({
    mutationFn: (v: { description: string }) => unwrap(api.POST('/api/v1/copies/{serial}/report-lost', { params: { path: { serial: copy.serial } }, body: v })),
    onSuccess: (r) => {
      message.success(t('lostReported', { id: r.incident.id }));
      onDone();
      onClose();
    },
    onError: (err) => {
      applyApiErrors(form, err);
      onDone();
    },
  });
  return (
    <Modal
      open={open}
      title={t('lostTitle', { serial: copy.serial })}
      okText={t('reportLost')}
      okButtonProps={{ danger: true }}
      cancelText={t('cancel')}
      confirmLoading={m.isPending}
      onCancel={onClose}
      onOk={() => form.validateFields().then((v) => m.mutate(v), () => undefined)}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" preserve={false}>
        <Form.Item name="description" label={t('description')} extra={t('descriptionHelp')} rules={[{ required: true, min: 5, max: 2000 }]}>
          <Input.TextArea rows={4} maxLength={2000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
