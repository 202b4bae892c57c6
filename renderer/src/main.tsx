import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { createClient } from './transport/create-client';
import './styles/base.css';
import './styles/shell.css';
import './styles/controls.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
const client = createClient();
createRoot(root).render(
  <StrictMode>
    <App client={client} />
  </StrictMode>,
);
