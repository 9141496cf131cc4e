import { useState } from 'react';
import { Alert, Button, Card, Checkbox, Flex, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { api, unwrap, unwrapAs } from '../api/client';
import type { Agreement } from '../api/types';
import { FullPageSpin } from '../components/FullPageSpin';
import { showApiError } from '../forms/apiErrors';
import { core } from '../i18n/core';
import { useMessages } from '../i18n/messages';
import { LanguageSwitch } from '../layout/LanguageSwitch';
import { ME_KEY, useSession, useSignOut } from './SessionProvider';

/** /agreement: the current confidentiality agreement; signing it (POST /me/agreement) opens the console (R-ONBOARD). */
export default function AgreementPage() {
  const t = useMessages(core);
  const qc = useQueryClient();
  const navigate = useNavigate();
  const signOut = useSignOut();
  const { me } = useSession();
  const [accepted, setAccepted] = useState(false);
  const agreement = useQuery({ queryKey: ['agreement'], queryFn: () => unwrapAs<Agreement>(api.GET('/api/v1/agreement')) });
  const sign = useMutation({
    mutationFn: (version: string) => unwrap(api.POST('/api/v1/me/agreement', { body: { version } })),
    onSuccess: async () => {
      await qc.refetchQueries({ queryKey: ME_KEY });
      navigate('/', { replace: true });
    },
    onError: (err) => {
      showApiError(err);
      // A newer version meanwhile: show it.
      void agreement.refetch();
    },
  });
  if (agreement.isPending) return <FullPageSpin />;
  const text = agreement.data ? (Array.isArray(agreement.data.text) ? (agreement.data.text as string[]).join('\n') : agreement.data.text) : '';
  return (
    <Flex justify="center" style={{ minHeight: '100vh', boxSizing: 'border-box', padding: 16, background: '#f0f2f5' }}>
      <main style={{ width: '100%', maxWidth: 760 }}>
        <Card>
          <Flex justify="space-between" align="center" wrap gap={8}>
            <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
              {t('agreementTitle')}
            </Typography.Title>
            <LanguageSwitch />
          </Flex>
          {agreement.isError ? (
            <Alert type="error" showIcon title={t('networkError')} style={{ marginTop: 16 }} />
          ) : (
            <>
              <Typography.Paragraph style={{ marginTop: 16 }}>{t('agreementIntro')}</Typography.Paragraph>
              {agreement.data.title && <Typography.Title level={2} style={{ fontSize: 18 }}>{agreement.data.title}</Typography.Title>}
              <Typography.Text type="secondary">{t('agreementVersion', { version: agreement.data.version })}</Typography.Text>
              <div
                tabIndex={0}
                aria-label={t('agreementTitle')}
                style={{ whiteSpace: 'pre-wrap', maxHeight: '50vh', overflow: 'auto', border: '1px solid #d9d9d9', borderRadius: 6, padding: 16, margin: '12px 0' }}
              >
                {text}
              </div>
              {!me.agreement.required && <Alert type="success" showIcon title={t('signed')} style={{ marginBottom: 12 }} />}
              <Checkbox checked={accepted} onChange={(e) => setAccepted(e.target.checked)}>
                {t('agreementAccept')}
              </Checkbox>
              <Flex justify="flex-end" gap={8} style={{ marginTop: 16 }}>
                <Button onClick={() => void signOut('signedOut')}>{t('signOut')}</Button>
                <Button type="primary" disabled={!accepted} loading={sign.isPending} onClick={() => sign.mutate(agreement.data.version)}>
                  {t('sign')}
                </Button>
              </Flex>
            </>
          )}
        </Card>
      </main>
    </Flex>
  );
}
