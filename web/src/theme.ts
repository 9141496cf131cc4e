import type { ThemeConfig } from 'antd';

/**
 * antd's default palette with the colours that carry text darkened to WCAG AA (4.5:1 on white):
 * the default blue (#1677ff, 4.1:1), red (#ff4d4f, 3.3:1), green and gold fall short, and so do
 * secondary/tertiary text at 45% black.
 */
export const themeConfig: ThemeConfig = {
  token: {
    colorPrimary: '#0958d9', // 5.9:1
    colorLink: '#0958d9',
    // Hover shades darken instead of lightening (antd's lighter hover blue is 2.8:1; a pointer resting on a link must stay readable).
    colorLinkHover: '#003eb3', // 8.9:1
    colorPrimaryHover: '#003eb3',
    colorPrimaryTextHover: '#003eb3',
    colorSuccessBg: '#f0f9eb', // a light wash behind the darkened success text
    // Empty states ("no data") and disabled text are read too: 25% black is 1.8:1.
    colorTextDisabled: 'rgba(0, 0, 0, 0.55)', // 4.5:1
    colorError: '#cf1322', // 5.9:1
    colorSuccess: '#237804', // 5.6:1
    colorWarning: '#ad4e00', // 5.6:1
    colorInfo: '#0958d9',
    colorTextSecondary: 'rgba(0, 0, 0, 0.65)', // 5.7:1
    colorTextTertiary: 'rgba(0, 0, 0, 0.6)', // 4.9:1
    colorTextDescription: 'rgba(0, 0, 0, 0.65)',
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.55)', // 4.5:1
    fontSize: 14,
    fontFamily:
      "-apple-system, BlinkMacSystemFont, 'Segoe UI', 'Noto Sans TC', 'PingFang TC', 'Microsoft JhengHei', 'Helvetica Neue', Arial, sans-serif",
  },
};
