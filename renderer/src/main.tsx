// Global styles first, so that a view's own stylesheet can refine them.
import './styles/base.css';
import './styles/shell.css';
import './styles/controls.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { createClient } from './transport/create-client';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
const client = createClient();
createRoot(root).render(
  <StrictMode>
    <App client={client} />
  </StrictMode>,
);
