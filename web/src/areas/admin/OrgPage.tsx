import { useEffect, useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Drawer, Form, Input, Modal, Select, Space, Table, Tabs } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { api, unwrap } from '../../api/client';
import { PageContainer } from '../../components/PageContainer';
import { applyApiErrors, useReloadOnConflict } from '../../forms/apiErrors';
import { formatDateTime } from '../../i18n/format';
import { useMessages } from '../../i18n/messages';
import { useSession } from '../../session/SessionProvider';
import { PAGE_SIZES } from '../../shared/table';
import { orgKeys, useDepartments, useProjects, type Department, type Project } from '../../shared/org';
import { messages } from './messages';
import { AuditHistory, departmentOptions } from './shared';

type Editing = { kind: 'dept'; item: Department | null } | { kind: 'project'; item: Project | null } | null;
interface Values {
  code: string;
  name: string;
  departmentCode?: string | null;
}

/** /admin/org — departments and projects: list, create, edit, a project's history (R-IT-PERMS). */
export default function OrgPage() {
  const t = useMessages(messages);
  const { can } = useSession();
  const manage = can('org:manage');
  const depts = useDepartments();
  const projects = useProjects();
  const [editing, setEditing] = useState<Editing>(null);
  const [history, setHistory] = useState<{ type: 'department' | 'project'; code: string } | null>(null);
  const historyButton = (type: 'department' | 'project', code: string) => (
    <Button size="small" onClick={() => setHistory({ type, code })} aria-label={`${t('history')} ${code}`}>
      {t('history')}
    </Button>
  );
  return (
    <PageContainer
      title={t('orgTitle')}
      description={t('orgIntro')}
      extra={
        manage && (
          <>
            <Button icon={<PlusOutlined />} onClick={() => setEditing({ kind: 'dept', item: null })}>
              {t('newDepartment')}
            </Button>
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ kind: 'project', item: null })}>
              {t('newProject')}
            </Button>
          </>
        )
      }
    >
      <Tabs
        items={[
          {
            key: 'projects',
            label: t('projects'),
            children: (
              <Table<Project>
                rowKey="code"
                size="middle"
                loading={projects.isLoading}
                dataSource={projects.data}
                scroll={{ x: 'max-content' }}
                pagination={{ pageSize: 20, showSizeChanger: true, pageSizeOptions: PAGE_SIZES }}
                columns={[
                  { title: t('code'), dataIndex: 'code' },
                  { title: t('name'), dataIndex: 'name' },
                  { title: t('department'), dataIndex: 'departmentCode', render: (c: string | null) => c ?? t('noDepartment') },
                  { title: t('createdAt'), dataIndex: 'createdAt', render: (v: string) => formatDateTime(v) },
                  {
                    title: t('actions'),
                    key: 'a',
                    render: (_: unknown, p) => (
                      <Space size={4}>
                        {manage && (
                          <Button size="small" onClick={() => setEditing({ kind: 'project', item: p })} aria-label={`${t('edit')} ${p.code}`}>
                            {t('edit')}
                          </Button>
                        )}
                        {historyButton('project', p.code)}
                      </Space>
                    ),
                  },
                ]}
              />
            ),
          },
          {
            key: 'departments',
            label: t('departments'),
            children: (
              <Table<Department>
                rowKey="code"
                size="middle"
                loading={depts.isLoading}
                dataSource={depts.data}
                scroll={{ x: 'max-content' }}
                pagination={{ pageSize: 20, showSizeChanger: true, pageSizeOptions: PAGE_SIZES }}
                columns={[
                  { title: t('code'), dataIndex: 'code' },
                  { title: t('name'), dataIndex: 'name' },
                  { title: t('createdAt'), dataIndex: 'createdAt', render: (v: string) => formatDateTime(v) },
                  {
                    title: t('actions'),
                    key: 'a',
                    render: (_: unknown, d) => (
                      <Space size={4}>
                        {manage && (
                          <Button size="small" onClick={() => setEditing({ kind: 'dept', item: d })} aria-label={`${t('edit')} ${d.code}`}>
                            {t('edit')}
                          </Button>
                        )}
                        {historyButton('department', d.code)}
                      </Space>
                    ),
                  },
                ]}
              />
            ),
          },
        ]}
      />
      <OrgDialog editing={editing} onClose={() => setEditing(null)} />
      <Drawer open={!!history} size="large" title={history ? t('historyOf', { code: history.code }) : ''} onClose={() => setHistory(null)} destroyOnHidden>
        {history && <AuditHistory objectType={history.type} objectId={history.code} />}
      </Drawer>
    </PageContainer>
  );
}

/** Create or edit a department (code, name) or a project (code, name, department). */
function OrgDialog({ editing, onClose }: { editing: Editing; onClose: () => void }) {
  const t = useMessages(messages);
  const { message } = App.useApp();
  const qc = useQueryClient();
  const depts = useDepartments();
  const [form] = Form.useForm<Values>();
  const isNew = !editing?.item;
  // 409 (the code is taken, or the record changed meanwhile): departments and projects reload.
  const reload = useReloadOnConflict(orgKeys.departments, orgKeys.projects);
  useEffect(() => {
    form.resetFields();
    if (editing?.item) {
      form.setFieldsValue({
        code: editing.item.code,
        name: editing.item.name,
        ...(editing.kind === 'project' ? { departmentCode: editing.item.departmentCode ?? undefined } : {}),
      });
    }
  }, [editing, form]);
  const save = useMutation({
    mutationFn: async (v: Values) => {
      if (editing?.kind === 'dept') {
        return isNew
          ? unwrap(api.POST('/api/v1/departments', { body: { code: v.code, name: v.name } }))
          : unwrap(api.PATCH('/api/v1/departments/{code}', { params: { path: { code: editing.item!.code } }, body: { name: v.name } }));
      }
      const departmentCode = v.departmentCode ?? null;
      return isNew
        ? unwrap(api.POST('/api/v1/projects', { body: { code: v.code, name: v.name, departmentCode } }))
        : unwrap(api.PATCH('/api/v1/projects/{code}', { params: { path: { code: editing!.item!.code } }, body: { name: v.name, departmentCode } }));
    },
    onSuccess: () => {
      message.success(t('saved'));
      void qc.invalidateQueries({ queryKey: editing?.kind === 'dept' ? orgKeys.departments : orgKeys.projects });
      onClose();
    },
    onError: (err) => applyApiErrors(form, err, { reload }),
  });
  const title = editing?.kind === 'dept' ? (isNew ? t('newDepartment') : t('editDepartment')) : isNew ? t('newProject') : t('editProject');
  return (
    <Modal open={!!editing} title={title} onCancel={onClose} okText={t('save')} cancelText={t('cancel')} confirmLoading={save.isPending} onOk={() => form.submit()} forceRender>
      <Form form={form} layout="vertical" name="org" onFinish={(v) => save.mutate(v)}>
        <Form.Item name="code" label={t('code')} extra={isNew ? t('codeHint') : undefined} rules={[{ required: true, message: t('required') }]}>
          <Input disabled={!isNew} autoComplete="off" />
        </Form.Item>
        <Form.Item name="name" label={t('name')} rules={[{ required: true, message: t('required') }]}>
          <Input autoComplete="off" />
        </Form.Item>
        {editing?.kind === 'project' && (
          <Form.Item name="departmentCode" label={t('department')}>
            <Select allowClear showSearch={{ optionFilterProp: 'label' }} loading={depts.isLoading} options={departmentOptions(depts.data)} />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}
