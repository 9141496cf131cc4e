import { useQuery, useMutation } from '@tanstack/react-query';
import { Alert, Button, Card, Descriptions, Form, Select, Typography } from 'antd';
import { api, unwrap } from '../../api/client';
import { applyApiErrors } from '../../forms/apiErrors';
import { useMessages } from '../../i18n/messages';
import { ToneTag } from '../../shared/tone';
import { messages } from './messages';
import { ScopeFields, scopeOf, useScopeLabel, type ScopeKind } from './shared';

/** The permission vocabulary (GET /api/v1/permissions): what a line or a question may name. */
export function usePermissionCatalogue() {
  return useQuery({ queryKey: ['admin', 'permissions'], queryFn: () => unwrap(api.GET('/api/v1/permissions')).then((r) => r.items), staleTime: Infinity });
}

/** 'object:action' options, every known one. */
export function permissionOptions(items: { object: string; actions: string[] }[] | undefined) {
  return (items ?? []).flatMap((i) => i.actions.map((a) => ({ value: `${i.object}:${a}`, label: `${i.object}:${a}` })));
}

interface AskValues {
  permission: string;
  scopeKind?: ScopeKind;
  scopeCode?: string;
}

/**
 * R-IT-PERMS: "why may (not) this user do X in Z?" — GET /authz/explain answers as the API
 * would (the account gate, then the policy); the server's reason is shown as it says it.
 */
export function ExplainCard({ username }: { username: string }) {
  const t = useMessages(messages);
  const scopeText = useScopeLabel();
  const [form] = Form.useForm<AskValues>();
  const catalogue = usePermissionCatalogue();
  const ask = useMutation({
    mutationFn: (v: AskValues) => {
      const [object, action] = v.permission.split(':');
      return unwrap(api.GET('/api/v1/authz/explain', { params: { query: { user: username, scope: scopeOf(v), object, action } } }));
    },
    onError: (err) => applyApiErrors(form, err, { fieldMap: { scope: ['scopeCode'] } }),
  });
  const a = ask.data;
  return (
    <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('explain')}</h2>}>
      <Typography.Paragraph type="secondary">{t('explainIntro')}</Typography.Paragraph>
      <Form form={form} layout="inline" name="explain" style={{ rowGap: 12 }} initialValues={{ scopeKind: 'company' }} onFinish={(v) => ask.mutate(v)}>
        <Form.Item name="permission" label={t('permission')} rules={[{ required: true, message: t('required') }]}>
          <Select style={{ minWidth: 260 }} showSearch={{ optionFilterProp: 'label' }} loading={catalogue.isLoading} options={permissionOptions(catalogue.data)} />
        </Form.Item>
        <ScopeFields form={form} kinds={['company', 'dept', 'project']} />
        <Form.Item>
          <Button type="primary" htmlType="submit" loading={ask.isPending}>
            {t('explainAsk')}
          </Button>
        </Form.Item>
      </Form>
      {a && (
        <div aria-live="polite" style={{ marginTop: 16 }}>
          <Alert
            type={a.allowed ? 'success' : 'error'}
            showIcon
            title={
              <span data-testid="explain-answer">
                {a.allowed ? t('answerAllowed') : `${t('answerRefused')} (${t(`refusedBy_${a.refusedBy ?? 'policy'}`)})`}
              </span>
            }
            description={<span data-testid="explain-reason">{a.reason}</span>}
          />
          <Descriptions
            size="small"
            column={1}
            style={{ marginTop: 12 }}
            items={[
              {
                key: 'line',
                label: t('decidingLine'),
                children: a.line ? (
                  <ToneTag tone={a.effect === 'deny' ? 'red' : 'green'}>
                    <code>{a.line.join(', ')}</code>
                  </ToneTag>
                ) : (
                  t('noLine')
                ),
              },
              { key: 'in', label: t('decidedIn'), children: a.decidedIn ? scopeText(a.decidedIn) : '—' },
              { key: 'checked', label: t('checkedScopes'), children: a.checked.map((s) => scopeText(s)).join(' → ') },
            ]}
          />
        </div>
      )}
    </Card>
  );
}
