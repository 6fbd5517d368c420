/// <reference types="vite-plugin-pwa/client" />
import { mount } from 'svelte';
import App from './App.svelte';
import { setupI18n } from './lib/i18n';
import { registerSW } from 'virtual:pwa-register';
import './app.css';

setupI18n();
// Offline use (vite-plugin-pwa): a no-op in dev; the service worker is our own /sw.js.
registerSW({ immediate: true });

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from index.html');
export default mount(App, { target });
