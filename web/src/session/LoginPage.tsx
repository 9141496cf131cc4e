import { useEffect, useState } from 'react';
import { Alert, Button, Card, Flex, Form, Input, Typography } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useLocation, useNavigate, useSearchParams } from 'react-router';
import { api, unwrapAs } from '../api/client';
import { ApiError } from '../api/errors';
import { touch } from '../api/events';
import type { SignInResult } from '../api/types';
import { core } from '../i18n/core';
import { useMessages } from '../i18n/messages';
import { LanguageSwitch } from '../layout/LanguageSwitch';
import { safeNext, type LoginNotice } from './next';

const NOTICES: Record<LoginNotice, 'signedOutIdle' | 'signedOut' | 'sessionEnded' | 'passwordChangedSignIn'> = {
  idle: 'signedOutIdle',
  signedOut: 'signedOut',
  sessionEnded: 'sessionEnded',
  passwordChanged: 'passwordChangedSignIn',
};

/** /login: username and password; POST /api/v1/auth/session sets the session cookie; then back to ?next= (a path). */
export function LoginPage() {
  const t = useMessages(core);
  const qc = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const [params] = useSearchParams();
  const [form] = Form.useForm<{ username: string; password: string }>();
  const notice = (location.state as { notice?: LoginNotice } | null)?.notice;
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    document.title = `${t('signInTitle')} - ${t('appName')}`;
  }, [t]);

  const signIn = useMutation({
    mutationFn: (v: { username: string; password: string }) => unwrapAs<SignInResult>(api.POST('/api/v1/auth/session', { body: v })),
    onSuccess: (r) => {
      touch(r.idleTimeoutSeconds);
      qc.clear();
      navigate(r.agreementRequired ? '/agreement' : safeNext(params.get('next')), { replace: true });
    },
    onError: (err) => {
      // The password field is emptied after a failure; the username stays.
      form.setFieldValue('password', '');
      if (err instanceof ApiError && err.status === 404) setError(t('consoleSignInUnavailable'));
      else if (err instanceof ApiError && err.status === 0) setError(t('networkError'));
      else setError(err instanceof ApiError ? err.text : String(err));
    },
  });

  return (
    <Flex vertical align="center" justify="center" style={{ minHeight: '100vh', boxSizing: 'border-box', padding: 16, background: '#f0f2f5' }}>
      <main style={{ width: '100%', maxWidth: 380 }}>
        <Card>
          <Flex justify="space-between" align="center" style={{ marginBottom: 16 }}>
            <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
              {t('appName')}
            </Typography.Title>
            <LanguageSwitch />
          </Flex>
          {notice && !error && <Alert type="info" showIcon title={t(NOTICES[notice])} style={{ marginBottom: 16 }} />}
          {error && <Alert type="error" showIcon role="alert" title={error} style={{ marginBottom: 16 }} />}
          <Form form={form} layout="vertical" requiredMark={false} onFinish={(v) => signIn.mutate(v)} disabled={signIn.isPending}>
            <Form.Item label={t('username')} name="username" rules={[{ required: true, message: t('usernameRequired') }]}>
              <Input autoComplete="username" autoFocus />
            </Form.Item>
            <Form.Item label={t('password')} name="password" rules={[{ required: true, message: t('passwordRequired') }]}>
              <Input.Password autoComplete="current-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={signIn.isPending}>
              {t('signIn')}
            </Button>
          </Form>
        </Card>
      </main>
    </Flex>
  );
}
