import { useEffect, useRef, useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Form, Input, Modal, Select, Space, Typography } from 'antd';
import { api, unwrap } from '../../api/client';
import { applyApiErrors, useReloadOnConflict } from '../../forms/apiErrors';
import { useMessages } from '../../i18n/messages';
import { useDepartments } from '../../shared/org';
import { messages } from './messages';
import { departmentOptions, HoldingsList, holdingsOfRefusal, type Holding, type UserView } from './shared';

/** Forgets every cached answer about users (lists, one user, holdings) after a change. */
/** The accounts' queries, reloaded when the server answers 409 (someone else changed the account first). */
const USERS = ['admin', 'users'] as const;

export function useInvalidateUsers() {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: ['admin', 'users'] });
}

type Lang = 'zh-Hant' | 'en';

interface CreateValues {
  username: string;
  displayName: string;
  password: string;
  departmentCode?: string;
  email?: string;
  language: Lang;
}

/** An empty address is none (null). */
const emailOf = (v: string | null | undefined): string | null => (v?.trim() ? v.trim() : null);

/** E-mail address and language of the user's notifications (issue 13), in both dialogs. */
function ContactFields() {
  const t = useMessages(messages);
  return (
    <>
      <Form.Item name="email" label={t('email')} extra={t('emailHint')} rules={[{ type: 'email', message: t('emailInvalid') }, { max: 254 }]}>
        <Input type="email" autoComplete="off" maxLength={254} />
      </Form.Item>
      <Form.Item name="language" label={t('msgLanguage')}>
        <Select<Lang>
          style={{ width: 200 }}
          options={[
            { value: 'zh-Hant', label: t('lang_zhHant') },
            { value: 'en', label: t('lang_en') },
          ]}
        />
      </Form.Item>
    </>
  );
}

/** R-ONBOARD: a new account (pending_agreement until its holder signs). */
export function CreateUserDialog({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated?: (u: UserView) => void }) {
  const t = useMessages(messages);
  const { message } = App.useApp();
  const [form] = Form.useForm<CreateValues>();
  const depts = useDepartments();
  const invalidate = useInvalidateUsers();
  const reload = useReloadOnConflict(USERS);
  const create = useMutation({
    mutationFn: (v: CreateValues) => unwrap(api.POST('/api/v1/users', { body: { ...v, departmentCode: v.departmentCode ?? null, email: emailOf(v.email) } })),
    onSuccess: (u) => {
      message.success(t('userCreated', { username: u.username }));
      void invalidate();
      form.resetFields();
      onClose();
      onCreated?.(u);
    },
    onError: (err) => applyApiErrors(form, err, { reload }),
  });
  return (
    <Modal
      open={open}
      title={t('newUser')}
      onCancel={onClose}
      okText={t('create')}
      cancelText={t('cancel')}
      confirmLoading={create.isPending}
      onOk={() => form.submit()}
      destroyOnHidden
      forceRender
    >
      <Form form={form} layout="vertical" onFinish={(v) => create.mutate(v)} name="create-user" initialValues={{ language: 'zh-Hant' }}>
        <Form.Item name="username" label={t('username')} extra={t('usernameHint')} rules={[{ required: true, message: t('required') }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="displayName" label={t('displayName')} rules={[{ required: true, message: t('required') }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="password" label={t('initialPassword')} extra={t('passwordHint')} rules={[{ required: true, message: t('required') }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item name="departmentCode" label={t('department')}>
          <Select allowClear showSearch={{ optionFilterProp: 'label' }} loading={depts.isLoading} options={departmentOptions(depts.data)} />
        </Form.Item>
        <ContactFields />
      </Form>
    </Modal>
  );
}

interface EditValues {
  displayName: string;
  departmentCode?: string | null;
  email?: string | null;
  language: Lang;
}

/** Display name, department, e-mail address and notification language of an account. */
export function EditUserDialog({ user, onClose }: { user: UserView | null; onClose: () => void }) {
  const t = useMessages(messages);
  const { message } = App.useApp();
  const [form] = Form.useForm<EditValues>();
  const depts = useDepartments();
  const invalidate = useInvalidateUsers();
  const reload = useReloadOnConflict(USERS);
  // Filled once per account opened: the account reloaded meanwhile (a 409 reloads it) keeps what was typed.
  const filledFor = useRef<number | null>(null);
  useEffect(() => {
    if (!user) {
      filledFor.current = null;
      return;
    }
    if (filledFor.current === user.id) return;
    filledFor.current = user.id;
    form.setFieldsValue({ displayName: user.displayName, departmentCode: user.departmentCode ?? undefined, email: user.email ?? '', language: user.language });
  }, [user, form]);
  const save = useMutation({
    mutationFn: (v: EditValues) =>
      unwrap(
        api.PATCH('/api/v1/users/{id}', {
          params: { path: { id: String(user!.id) } },
          body: { displayName: v.displayName, departmentCode: v.departmentCode ?? null, email: emailOf(v.email), language: v.language },
        }),
      ),
    onSuccess: () => {
      message.success(t('saved'));
      void invalidate();
      onClose();
    },
    onError: (err) => applyApiErrors(form, err, { reload }),
  });
  return (
    <Modal open={!!user} title={`${t('editUser')}: ${user?.username ?? ''}`} onCancel={onClose} okText={t('save')} cancelText={t('cancel')} confirmLoading={save.isPending} onOk={() => form.submit()} forceRender>
      <Form form={form} layout="vertical" onFinish={(v) => save.mutate(v)} name="edit-user">
        <Form.Item name="displayName" label={t('displayName')} rules={[{ required: true, message: t('required') }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="departmentCode" label={t('department')}>
          <Select allowClear showSearch={{ optionFilterProp: 'label' }} loading={depts.isLoading} options={departmentOptions(depts.data)} />
        </Form.Item>
        <ContactFields />
      </Form>
    </Modal>
  );
}

/** A new password set by the IT admin (every session of the user ends; a lock is cleared). */
export function ResetPasswordDialog({ user, onClose }: { user: UserView | null; onClose: () => void }) {
  const t = useMessages(messages);
  const { message } = App.useApp();
  const [form] = Form.useForm<{ password: string }>();
  const invalidate = useInvalidateUsers();
  const reload = useReloadOnConflict(USERS);
  const reset = useMutation({
    mutationFn: (v: { password: string }) => unwrap(api.POST('/api/v1/users/{id}/password', { params: { path: { id: String(user!.id) } }, body: v })),
    onSuccess: () => {
      message.success(t('passwordReset', { username: user!.username }));
      void invalidate();
      form.resetFields();
      onClose();
    },
    onError: (err) => applyApiErrors(form, err, { reload }),
  });
  return (
    <Modal open={!!user} title={`${t('resetPassword')}: ${user?.username ?? ''}`} onCancel={onClose} okText={t('save')} cancelText={t('cancel')} confirmLoading={reset.isPending} onOk={() => form.submit()} forceRender>
      <Form form={form} layout="vertical" onFinish={(v) => reset.mutate(v)} name="reset-password">
        <Form.Item name="password" label={t('newPassword')} extra={t('passwordHint')} rules={[{ required: true, message: t('required') }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/**
 * R-OFFBOARD: close an account. Refused (409 holdings_outstanding) while the user still holds
 * copies, handover files or inventory: the dialog then lists them with links to hand them over.
 */
export function OffboardDialog({ user, onClose }: { user: UserView | null; onClose: () => void }) {
  const t = useMessages(messages);
  const { message } = App.useApp();
  const [form] = Form.useForm<{ reason?: string }>();
  const [held, setHeld] = useState<Holding[] | null>(null);
  const invalidate = useInvalidateUsers();
  const reload = useReloadOnConflict(USERS);
  const close = () => {
    setHeld(null);
    form.resetFields();
    onClose();
  };
  const offboard = useMutation({
    mutationFn: (v: { reason?: string }) =>
      unwrap(api.POST('/api/v1/users/{id}/offboard', { params: { path: { id: String(user!.id) } }, body: v.reason ? { reason: v.reason } : {} })),
    onSuccess: () => {
      message.success(t('offboarded', { username: user!.username }));
      void invalidate();
      close();
    },
    onError: (err) => {
      const h = holdingsOfRefusal(err);
      if (h) {
        setHeld(h);
        void invalidate();
      } else applyApiErrors(form, err, { reload });
    },
  });
  return (
    <Modal
      open={!!user}
      title={t('offboardTitle', { username: user?.username ?? '' })}
      onCancel={close}
      forceRender
      footer={
        <Space>
          <Button onClick={close}>{held ? t('close') : t('cancel')}</Button>
          <Button danger type="primary" loading={offboard.isPending} onClick={() => form.submit()}>
            {t('offboard')}
          </Button>
        </Space>
      }
    >
      <Typography.Paragraph>{t('offboardBody')}</Typography.Paragraph>
      {held && (
        <div style={{ marginBottom: 16 }}>
          <Alert type="error" showIcon title={t('offboardRefused', { username: user?.username ?? '' })} style={{ marginBottom: 8 }} />
          <HoldingsList items={held} />
        </div>
      )}
      <Form form={form} layout="vertical" onFinish={(v) => offboard.mutate(v)} name="offboard-user">
        <Form.Item name="reason" label={t('offboardReason')} rules={[{ max: 500 }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
