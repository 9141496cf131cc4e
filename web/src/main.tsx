import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { getLocale } from './i18n/locale';
import './index.css';

document.documentElement.lang = getLocale() === 'zh-TW' ? 'zh-Hant' : 'en';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
