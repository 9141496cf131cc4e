import { useEffect, useMemo, useState } from 'react';
import { Button, Dropdown, Flex, Layout, Menu, theme, type MenuProps } from 'antd';
import { BellOutlined, DownOutlined, KeyOutlined, LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { areas } from '../areas';
import { ErrorBoundary } from '../components/ErrorBoundary';
import { core } from '../i18n/core';
import { useLocale } from '../i18n/locale';
import { useMessages } from '../i18n/messages';
import { useSession, useSignOut } from '../session/SessionProvider';
import { LanguageSwitch } from './LanguageSwitch';
import { useCurrentMenuItem, useVisibleAreas } from './menu';

const { Header, Sider, Content } = Layout;

/**
 * The signed-in frame: left menu of the areas the user may use (collapses below 992 px, e.g. a
 * tablet), header (app name, area widgets, language, user menu), content with one error boundary
 * per page. Every page renders its own <PageContainer>.
 */
export function AppLayout() {
  const t = useMessages(core);
  const { pick } = useLocale();
  const { user } = useSession();
  const signOut = useSignOut();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const { token } = theme.useToken();
  const visible = useVisibleAreas();
  const current = useCurrentMenuItem();
  const [collapsed, setCollapsed] = useState(false);

  const items = useMemo<MenuProps['items']>(
    () =>
      visible.map(({ area, items }) =>
        items.length === 1
          ? { key: items[0].path, icon: area.icon, label: pick(items[0].label) }
          : { key: `area:${area.key}`, icon: area.icon, label: pick(area.title), children: items.map((i) => ({ key: i.path, label: pick(i.label) })) },
      ),
    [visible, pick],
  );
  const [openKeys, setOpenKeys] = useState<string[]>(() => (current ? [`area:${current.area.key}`] : []));
  // The current page's area stays open: also after a link (the bell, my work) or a reload led here
  // while the menu was still loading, when the first render knew no current page.
  const currentArea = current ? `area:${current.area.key}` : null;
  useEffect(() => {
    if (currentArea) setOpenKeys((keys) => (keys.includes(currentArea) ? keys : [...keys, currentArea]));
  }, [currentArea]);

  const userMenu: MenuProps['items'] = [
    { key: 'notifications', icon: <BellOutlined />, label: t('notificationSettings'), onClick: () => navigate('/settings/notifications') },
    { key: 'password', icon: <KeyOutlined />, label: t('changePassword'), onClick: () => navigate('/account/password') },
    { type: 'divider' },
    { key: 'signout', icon: <LogoutOutlined />, label: t('signOut'), onClick: () => void signOut('signedOut') },
  ];

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <a href="#main" className="skip-link">
        {t('skipToContent')}
      </a>
      <Sider
        breakpoint="lg"
        collapsible
        collapsed={collapsed}
        onCollapse={setCollapsed}
        collapsedWidth={64}
        width={220}
        theme="light"
        style={{ borderRight: `1px solid ${token.colorBorderSecondary}` }}
      >
        <div style={{ height: 56, display: 'flex', alignItems: 'center', padding: '0 20px', fontWeight: 600, whiteSpace: 'nowrap', overflow: 'hidden' }}>
          {collapsed ? 'C' : t('appName')}
        </div>
        <nav aria-label={t('menu')}>
          <Menu
            mode="inline"
            items={items}
            selectedKeys={current ? [current.item.path] : []}
            openKeys={collapsed ? undefined : openKeys}
            // Collapsing (also the brief 1×1 window some page loads report, which trips the Sider's
            // breakpoint) makes the menu close every area: that is not the user's choice, so while
            // collapsed the open areas are kept and come back when the menu widens again.
            onOpenChange={(keys) => {
              if (!collapsed) setOpenKeys(keys);
            }}
            onClick={({ key }) => navigate(key)}
            style={{ borderInlineEnd: 'none' }}
          />
        </nav>
      </Sider>
      <Layout>
        <Header style={{ background: token.colorBgContainer, padding: '0 16px', borderBottom: `1px solid ${token.colorBorderSecondary}` }}>
          <Flex justify="flex-end" align="center" gap={12} style={{ height: '100%' }}>
            {areas.flatMap((a) => (a.header ?? []).map((W, i) => <W key={`${a.key}-${i}`} />))}
            <LanguageSwitch />
            <Dropdown menu={{ items: userMenu }} trigger={['click']}>
              <Button type="text" icon={<UserOutlined />} aria-label={`${t('account')}: ${user.displayName}`}>
                {user.displayName} <DownOutlined />
              </Button>
            </Dropdown>
          </Flex>
        </Header>
        <Content id="main" tabIndex={-1} style={{ margin: 0, padding: 24, outline: 'none' }}>
          <ErrorBoundary resetKey={pathname}>
            <Outlet />
          </ErrorBoundary>
        </Content>
      </Layout>
    </Layout>
  );
}
