import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Flex, Form, Input, Radio, Select, Skeleton, Space, Table, Typography } from 'antd';
import { api, unwrap } from '../../api/client';
import { PageContainer } from '../../components/PageContainer';
import { applyApiErrors } from '../../forms/apiErrors';
import { useLocale } from '../../i18n/locale';
import { useMessages } from '../../i18n/messages';
import { ME_KEY } from '../../session/SessionProvider';
import { NOTIFICATIONS, type KindPreference, type MessageLang, type Mode, type Preferences } from './api';
import { messages } from './messages';

const PREFS = [...NOTIFICATIONS, 'preferences'] as const;
const MODES: Mode[] = ['inapp', 'email', 'digest'];

/**
 * /settings/notifications — the user's own e-mail address and message language (PATCH
 * /api/v1/me/profile), and per kind of message how it reaches them: in-app only, e-mail at once,
 * or the daily digest. Kinds that ask the user to act cannot be in-app only: that choice is shown
 * disabled with the reason, and the server refuses it too (its 400 shows beside the row).
 */
export default function SettingsPage() {
  const t = useMessages(messages);
  const prefs = useQuery({ queryKey: PREFS, queryFn: () => unwrap(api.GET('/api/v1/me/notification-preferences')) });
  return (
    <PageContainer title={t('settingsTitle')} description={t('settingsIntro')} breadcrumb={[{ title: t('inboxTitle'), path: '/inbox' }, { title: t('settingsTitle') }]}>
      {prefs.isLoading || !prefs.data ? (
        <Skeleton active />
      ) : (
        <Flex vertical gap={16} style={{ width: '100%' }}>
          <ProfileCard prefs={prefs.data} />
          <KindsCard prefs={prefs.data} />
        </Flex>
      )}
    </PageContainer>
  );
}

interface ProfileValues {
  email?: string;
  language: MessageLang;
}

function ProfileCard({ prefs }: { prefs: Preferences }) {
  const t = useMessages(messages);
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<ProfileValues>();
  const save = useMutation({
    mutationFn: (v: ProfileValues) => unwrap(api.PATCH('/api/v1/me/profile', { body: { email: v.email?.trim() ? v.email.trim() : null, language: v.language } })),
    onSuccess: () => {
      message.success(t('saved'));
      void qc.invalidateQueries({ queryKey: PREFS });
      void qc.invalidateQueries({ queryKey: ME_KEY });
    },
    // A refused address stays in the field with the server's reason beside it.
    onError: (err) => applyApiErrors(form, err),
  });
  return (
    <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('profile')}</h2>}>
      <Form<ProfileValues>
        form={form}
        name="notification-profile"
        layout="vertical"
        style={{ maxWidth: 480 }}
        initialValues={{ email: prefs.email ?? '', language: prefs.language }}
        onFinish={(v) => save.mutate(v)}
      >
        <Form.Item name="email" label={t('email')} extra={t('emailHint')} rules={[{ type: 'email', message: t('emailInvalid') }, { max: 254 }]}>
          <Input type="email" autoComplete="email" maxLength={254} />
        </Form.Item>
        <Form.Item name="language" label={t('language')} extra={t('languageHint')}>
          <Select<MessageLang>
            style={{ width: 200 }}
            options={[
              { value: 'zh-Hant', label: t('lang_zhHant') },
              { value: 'en', label: t('lang_en') },
            ]}
          />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={save.isPending}>
          {t('save')}
        </Button>
      </Form>
    </Card>
  );
}

interface KindsValues {
  kinds: { kind: string; mode: Mode }[];
}

function KindsCard({ prefs }: { prefs: Preferences }) {
  const t = useMessages(messages);
  const { locale } = useLocale();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<KindsValues>();
  const save = useMutation({
    mutationFn: (v: KindsValues) => unwrap(api.PUT('/api/v1/me/notification-preferences', { body: { kinds: v.kinds } })),
    onSuccess: (next) => {
      message.success(t('saved'));
      qc.setQueryData(PREFS, next);
      form.setFieldsValue({ kinds: next.kinds.map((k) => ({ kind: k.kind, mode: k.mode })) });
    },
    // `kinds.<i>.mode` sits beside its row; the choices stay as made.
    onError: (err) => applyApiErrors(form, err),
  });
  const title = (k: KindPreference) => (locale === 'zh-TW' ? k.title['zh-Hant'] : k.title.en);
  const hasAction = prefs.kinds.some((k) => k.action);
  return (
    <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('kinds')}</h2>}>
      {!prefs.email && <Alert type="warning" showIcon title={t('noEmailWarning')} style={{ marginBottom: 12 }} />}
      {hasAction && <Alert type="info" showIcon title={t('actionExplained')} style={{ marginBottom: 12 }} />}
      <Form<KindsValues>
        form={form}
        name="notification-kinds"
        initialValues={{ kinds: prefs.kinds.map((k) => ({ kind: k.kind, mode: k.mode })) }}
        onFinish={(v) => save.mutate(v)}
      >
        <Table<KindPreference>
          size="small"
          rowKey="kind"
          pagination={false}
          dataSource={prefs.kinds}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: t('noKinds') }}
          style={{ marginBottom: 16 }}
          columns={[
            {
              title: t('kind'),
              key: 'kind',
              render: (_: unknown, k, i) => (
                <Space size={8} wrap>
                  <span id={`kind-${i}`}>{title(k)}</span>
                  {k.action && <Typography.Text type="warning">({t('actionKind')})</Typography.Text>}
                  <Form.Item name={['kinds', i, 'kind']} hidden noStyle>
                    <Input />
                  </Form.Item>
                </Space>
              ),
            },
            {
              title: t('mode'),
              key: 'mode',
              render: (_: unknown, k, i) => (
                <Form.Item
                  name={['kinds', i, 'mode']}
                  style={{ margin: 0 }}
                  rules={[{ validator: (_r, v: Mode) => (k.action && v === 'inapp' ? Promise.reject(new Error(t('inappNotAllowed'))) : Promise.resolve()) }]}
                >
                  <Radio.Group
                    aria-labelledby={`kind-${i}`}
                    options={MODES.map((m) => ({
                      value: m,
                      label: t(`mode_${m}`),
                      // What the server allows for this kind (an action kind: no in-app only).
                      disabled: !k.modes.includes(m) || (k.action && m === 'inapp'),
                      title: k.action && m === 'inapp' ? t('inappNotAllowed') : undefined,
                    }))}
                  />
                </Form.Item>
              ),
            },
          ]}
        />
        <Button type="primary" htmlType="submit" loading={save.isPending}>
          {t('save')}
        </Button>
      </Form>
    </Card>
  );
}
