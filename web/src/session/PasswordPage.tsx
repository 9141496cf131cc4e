import { Button, Card, Form, Input } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { api, unwrap } from '../api/client';
import { PageContainer } from '../components/PageContainer';
import { applyApiErrors } from '../forms/apiErrors';
import { core } from '../i18n/core';
import { useMessages } from '../i18n/messages';

interface Values {
  currentPassword: string;
  newPassword: string;
  confirm: string;
}

/** /account/password: POST /api/v1/me/password; the server then revokes every session, so sign in again. */
export default function PasswordPage() {
  const t = useMessages(core);
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [form] = Form.useForm<Values>();
  const change = useMutation({
    mutationFn: (v: Values) => unwrap(api.POST('/api/v1/me/password', { body: { currentPassword: v.currentPassword, newPassword: v.newPassword } })),
    onSuccess: () => {
      qc.clear();
      navigate('/login', { replace: true, state: { notice: 'passwordChanged' } });
    },
    onError: (err) => applyApiErrors(form, err, { codeFields: { invalid_credentials: 'currentPassword' } }),
  });
  return (
    <PageContainer title={t('changePassword')}>
      <Card style={{ maxWidth: 480 }}>
        <Form form={form} layout="vertical" onFinish={(v) => change.mutate(v)} disabled={change.isPending}>
          <Form.Item label={t('currentPassword')} name="currentPassword" rules={[{ required: true, message: t('passwordRequired') }]}>
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          <Form.Item label={t('newPassword')} name="newPassword" extra={t('passwordMin')} rules={[{ required: true, min: 10, message: t('passwordMin') }]}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Form.Item
            label={t('confirmPassword')}
            name="confirm"
            dependencies={['newPassword']}
            rules={[
              { required: true, message: t('passwordMismatch') },
              ({ getFieldValue }) => ({
                validator: (_r, v) => (!v || v === getFieldValue('newPassword') ? Promise.resolve() : Promise.reject(new Error(t('passwordMismatch')))),
              }),
            ]}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={change.isPending}>
            {t('save')}
          </Button>
        </Form>
      </Card>
    </PageContainer>
  );
}
