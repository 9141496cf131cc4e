import { useEffect, useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Checkbox, Form, Input, Modal, Popconfirm, Radio, Select, Space, Switch, Table, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { api, unwrap } from '../../api/client';
import { PageContainer } from '../../components/PageContainer';
import { applyApiErrors, showApiError, useReloadOnConflict } from '../../forms/apiErrors';
import { useMessages } from '../../i18n/messages';
import { useSession } from '../../session/SessionProvider';
import { ToneTag } from '../../shared/tone';
import { notifyMessages } from './notifyMessages';
import { ROBOTS_KEY, useKindOptions, useRobots, type Robot } from './notifyShared';
import { ScopeFields, scopeOf, useScopeLabel, type ScopeKind } from './shared';

type Platform = Robot['platform'];
type Lang = Robot['language'];

const PLATFORMS: Platform[] = ['wecom', 'dingtalk', 'feishu'];

/**
 * /admin/robots — the work-chat group robots (WeCom, DingTalk, Feishu) of departments and
 * projects: add, change, remove, send a test message. The webhook URL holds the robot's token:
 * the server returns it masked only, and a saved secret never comes back.
 */
export default function RobotsPage() {
  const t = useMessages(notifyMessages);
  const { message } = App.useApp();
  const { can } = useSession();
  const qc = useQueryClient();
  const scopeLabel = useScopeLabel();
  const kinds = useKindOptions();
  const [editing, setEditing] = useState<Robot | 'new' | null>(null);
  const list = useRobots();
  const changed = () => qc.invalidateQueries({ queryKey: ROBOTS_KEY });
  const mayManage = can('notification_robot:manage');
  const test = useMutation({
    mutationFn: (r: Robot) => unwrap(api.POST('/api/v1/notification-robots/{id}/test', { params: { path: { id: String(r.id) } } })),
    onSuccess: () => message.success(t('testQueued')),
    onError: showApiError,
  });
  const remove = useMutation({
    mutationFn: (r: Robot) => unwrap(api.DELETE('/api/v1/notification-robots/{id}', { params: { path: { id: String(r.id) } } })),
    onSuccess: () => {
      message.success(t('removed'));
      void changed();
    },
    onError: (err) => {
      showApiError(err);
      void changed();
    },
  });
  return (
    <PageContainer
      title={t('robotsTitle')}
      description={t('robotsIntro')}
      extra={
        mayManage && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
            {t('newRobot')}
          </Button>
        )
      }
    >
      <Table<Robot>
        rowKey="id"
        size="middle"
        loading={list.isFetching}
        dataSource={list.data?.items}
        scroll={{ x: 'max-content' }}
        pagination={false}
        locale={{ emptyText: t('noRobots') }}
        columns={[
          { title: t('name'), dataIndex: 'name' },
          { title: t('platform'), dataIndex: 'platform', render: (p: Platform) => t(`platform_${p}`) },
          { title: t('scope'), dataIndex: 'scope', render: (s: string) => scopeLabel(s) },
          {
            title: t('webhook'),
            dataIndex: 'webhook',
            render: (u: string, r) => (
              <Space size={4} wrap>
                <Typography.Text code>{u}</Typography.Text>
                {r.hasSecret && <ToneTag tone="blue">{t('signed')}</ToneTag>}
              </Space>
            ),
          },
          {
            title: t('kinds'),
            dataIndex: 'kinds',
            render: (k: string[] | null) => (
              <div style={{ maxWidth: 220, whiteSpace: 'normal' }}>{k?.length ? k.map((x) => kinds.title.get(x) ?? x).join('、') : t('allKinds')}</div>
            ),
          },
          { title: t('languageShort'), dataIndex: 'language', render: (l: Lang) => (l === 'en' ? t('lang_en') : t('lang_zhHant')) },
          { title: t('enabled'), dataIndex: 'enabled', render: (e: boolean) => <ToneTag tone={e ? 'green' : 'grey'}>{e ? t('on') : t('off')}</ToneTag> },
          {
            title: t('actions'),
            key: 'a',
            fixed: 'right',
            render: (_: unknown, r) =>
              mayManage && (
                <Space size={4} wrap>
                  <Button size="small" onClick={() => setEditing(r)} aria-label={`${t('edit')} ${r.name}`}>
                    {t('edit')}
                  </Button>
                  <Button size="small" loading={test.isPending && test.variables?.id === r.id} disabled={!r.enabled} onClick={() => test.mutate(r)} aria-label={`${t('test')}: ${r.name}`} title={t('test')}>
                    {t('testShort')}
                  </Button>
                  <Popconfirm title={t('removeConfirm', { name: r.name })} okText={t('remove')} cancelText={t('cancel')} okButtonProps={{ danger: true }} onConfirm={() => remove.mutate(r)}>
                    <Button size="small" danger aria-label={`${t('remove')} ${r.name}`}>
                      {t('remove')}
                    </Button>
                  </Popconfirm>
                </Space>
              ),
          },
        ]}
      />
      <RobotDialog robot={editing} kinds={kinds} onClose={() => setEditing(null)} onDone={changed} />
    </PageContainer>
  );
}

interface RobotValues {
  name: string;
  platform: Platform;
  scopeKind?: ScopeKind;
  scopeCode?: string;
  webhookUrl?: string;
  secret?: string;
  clearSecret?: boolean;
  kinds?: string[];
  language: Lang;
  enabled: boolean;
}

/** Add ('new') or change a robot. Empty webhook URL and secret on a change keep the saved ones. */
function RobotDialog({
  robot,
  kinds,
  onClose,
  onDone,
}: {
  robot: Robot | 'new' | null;
  kinds: ReturnType<typeof useKindOptions>;
  onClose: () => void;
  onDone: () => void;
}) {
  const t = useMessages(notifyMessages);
  const { message } = App.useApp();
  const [form] = Form.useForm<RobotValues>();
  const existing = robot && robot !== 'new' ? robot : null;
  const reload = useReloadOnConflict(ROBOTS_KEY);
  useEffect(() => {
    if (!robot) return;
    form.resetFields();
    if (existing) {
      const [kind, code] = existing.scope.split(':') as [ScopeKind, string];
      form.setFieldsValue({
        name: existing.name,
        platform: existing.platform,
        scopeKind: kind,
        scopeCode: code,
        kinds: existing.kinds ?? [],
        language: existing.language,
        enabled: existing.enabled,
      });
    }
  }, [robot, existing, form]);
  const save = useMutation({
    mutationFn: (v: RobotValues) => {
      const body = {
        name: v.name,
        platform: v.platform,
        scope: scopeOf(v),
        kinds: v.kinds?.length ? v.kinds : null,
        language: v.language,
        enabled: v.enabled,
      };
      if (existing) {
        return unwrap(
          api.PATCH('/api/v1/notification-robots/{id}', {
            params: { path: { id: String(existing.id) } },
            body: {
              ...body,
              ...(v.webhookUrl?.trim() ? { webhookUrl: v.webhookUrl.trim() } : {}),
              ...(v.clearSecret ? { secret: null } : v.secret?.trim() ? { secret: v.secret.trim() } : {}),
            },
          }),
        );
      }
      return unwrap(api.POST('/api/v1/notification-robots', { body: { ...body, webhookUrl: (v.webhookUrl ?? '').trim(), ...(v.secret?.trim() ? { secret: v.secret.trim() } : {}) } }));
    },
    onSuccess: () => {
      message.success(existing ? t('saved') : t('created'));
      onDone();
      onClose();
    },
    // Field errors beside their fields (scope -> the scope picker); what was typed stays.
    onError: (err) => applyApiErrors(form, err, { fieldMap: { scope: ['scopeCode'] }, reload }),
  });
  const clearing = Form.useWatch('clearSecret', form) as boolean | undefined;
  return (
    <Modal
      open={!!robot}
      title={existing ? `${t('editRobot')}: ${existing.name}` : t('newRobot')}
      onCancel={onClose}
      okText={existing ? t('save') : t('create')}
      cancelText={t('cancel')}
      confirmLoading={save.isPending}
      onOk={() => form.submit()}
      forceRender
      width={620}
    >
      <Form<RobotValues> form={form} layout="vertical" name="robot" initialValues={{ platform: 'wecom', language: 'zh-Hant', enabled: true, kinds: [] }} onFinish={(v) => save.mutate(v)}>
        <Form.Item name="name" label={t('name')} rules={[{ required: true, message: t('required') }, { max: 100 }]}>
          <Input autoComplete="off" maxLength={100} />
        </Form.Item>
        <Form.Item name="platform" label={t('platform')} rules={[{ required: true, message: t('required') }]}>
          <Radio.Group options={PLATFORMS.map((p) => ({ value: p, label: t(`platform_${p}`) }))} />
        </Form.Item>
        <ScopeFields form={form} kinds={['dept', 'project'] as ScopeKind[]} />
        <Form.Item
          name="webhookUrl"
          label={t('webhook')}
          extra={existing ? t('webhookKeep', { url: existing.webhook }) : t('webhookHint')}
          rules={existing ? [] : [{ required: true, message: t('required') }]}
        >
          <Input autoComplete="off" placeholder="https://" spellCheck={false} />
        </Form.Item>
        <Form.Item name="secret" label={t('secret')} extra={existing?.hasSecret ? t('secretKeep') : t('secretHint')}>
          <Input.Password autoComplete="new-password" disabled={!!clearing} />
        </Form.Item>
        {existing?.hasSecret && (
          <Form.Item name="clearSecret" valuePropName="checked" style={{ marginTop: -12 }}>
            <Checkbox>{t('clearSecret')}</Checkbox>
          </Form.Item>
        )}
        <Form.Item name="kinds" label={t('kinds')} extra={t('kindsHint')}>
          <Select mode="multiple" allowClear showSearch={{ optionFilterProp: 'label' }} loading={kinds.loading} options={kinds.options} placeholder={t('allKinds')} />
        </Form.Item>
        <Form.Item name="language" label={t('language')}>
          <Select<Lang>
            style={{ width: 200 }}
            options={[
              { value: 'zh-Hant', label: t('lang_zhHant') },
              { value: 'en', label: t('lang_en') },
            ]}
          />
        </Form.Item>
        <Form.Item name="enabled" label={t('enabled')} valuePropName="checked">
          <Switch />
        </Form.Item>
      </Form>
    </Modal>
  );
}
